export {
  startLocalLogServer,
  type LocalLogServer,
  type LocalLogServerOptions,
  type RecordedRequest,
} from './server.js';
export type { StoredLog } from './log-store.js';
export type { Fault, FaultPlan, RequestInfo } from './faults.js';
export { validateLogBody, validateLogRequest, validateUpdate, type KnownLogs, type ValidationError } from './validate.js';
