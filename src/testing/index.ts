/**
 * The local log server with fault injection, for testing an application's (or this package's)
 * handling of Humanloop failures: status codes, `Retry-After`, delays, dropped connections, outages.
 */
export * from '../local/index.js';
export { startTestLogServer, type TestLogServer } from '../local/server.js';
export type { DelayFault, DropFault, Fault, FaultPlan, RequestInfo, SlowBodyFault, StatusFault } from '../local/faults.js';
