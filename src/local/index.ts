export {
  startLocalLogServer,
  type LocalLogServer,
  type LocalLogServerOptions,
  type RecordedRequest,
} from './server.js';
export type { StoredLog } from './log-store.js';
export {
  validateLogBody,
  validateLogRequest,
  validateUpdate,
  type KnownLogs,
  type Loc,
  type ValidationError,
} from './validate.js';
