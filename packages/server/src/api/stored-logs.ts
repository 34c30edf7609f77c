/** The logs the server keeps, as its listeners and accessors hand them out (the store's records, typed for each API). */
import type { LogRequest } from 'humanloop-otel-exporter';
import type { StoredRecord } from '../store/types.js';
import type { LogStatus, V5FileType } from './v5-kinds.js';

export type { StoredFeedback, StoredEvaluatorLog } from '../store/types.js';

/** A v4 log as the server keeps it: what was sent, with the ids it was given. */
export type StoredLog = LogRequest & {
  id: string;
  project_id: string;
  session_id: string | null;
  /** Feedback given with the log (its own `feedback` field) or on it later. */
  feedback?: unknown;
  /** Which request (by index) stored it. */
  request_index: number;
};

/**
 * A v5 log as the server keeps it: the body as sent, plus what the server gave it. The body's
 * `id` (the file the log was sent to, when given by id) gives way to the log's own id; `file_id`
 * keeps the file's.
 */
export interface StoredV5Log {
  /** The log's id: the client's `log_id` when it gave one, else `log_<n>`. */
  id: string;
  type: V5FileType;
  file_id: string;
  version_id: string;
  /** When the log was created: as the client gave it, else when the server stored it (ISO 8601). */
  created_at?: string | null;
  /** Flow and agent logs only. */
  log_status?: LogStatus;
  /** Which request (by index) stored it. */
  request_index: number;
  path?: string | null;
  trace_parent_id?: string | null;
  [field: string]: unknown;
}

/** A stored v4 log as the request it was validated as, with its ids. */
export function asStoredLog(log: StoredRecord['log']): StoredLog {
  return log as unknown as StoredLog;
}

/** A log of either API as the store keeps it (a record of the data file, say). */
export function asStoreRecord(entry: { api: 'v4'; log: StoredLog } | { api: 'v5'; log: StoredV5Log }): StoredRecord {
  return entry as unknown as StoredRecord;
}
