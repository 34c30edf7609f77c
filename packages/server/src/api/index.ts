export {
  startLocalLogServer,
  type LocalApiVersion,
  type LocalLogServer,
  type LocalLogServerOptions,
  type LocalServerStats,
  type RecordedRequest,
} from './server.js';
export type { StoredLog } from './stored-logs.js';
export type { LogChange } from './event-stream.js';
export type { AnyStoredLog, LogApi, LogSummary } from './log-summary.js';
export { formatLogTree } from './log-tree.js';
export type { StoredV5Log } from './stored-logs.js';
export type { LogStatus, V5FileType } from './v5-kinds.js';
export {
  validateLogBody,
  validateLogRequest,
  validateUpdate,
  type KnownLogs,
  type Loc,
  type ValidationError,
} from './validate.js';
