/**
 * The local log server with fault injection, for testing an application's (or this package's)
 * handling of Humanloop failures: status codes, `Retry-After`, delays, dropped connections, outages.
 */
export * from '../api/index.js';
export { startTestLogServer, type TestLogServer } from '../api/server.js';
export type { DelayFault, DropFault, Fault, FaultPlan, RequestInfo, SlowBodyFault, StatusFault } from '../api/faults.js';
