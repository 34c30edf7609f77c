/**
 * The log server's storage, one interface for every engine (memory, SQLite, PostgreSQL): what the
 * v4 and v5 routes store, change and read. Every method is async: an engine may be a network away.
 */

export type LogApi = 'v4' | 'v5';
export type V5FileType = 'prompt' | 'tool' | 'flow' | 'agent';
/** A stored v5 log's type: a file type the routes create, or `evaluator` (a judgment, kept by import). */
export type V5LogType = V5FileType | 'evaluator';
export type LogStatus = 'complete' | 'incomplete';

/** A v4 log as stored: the request body as sent, with the ids the server gave it. */
export type StoredV4Log = Record<string, unknown> & {
  id: string;
  project_id: string;
  session_id: string | null;
  /** Which request (by index) stored it. */
  request_index: number;
};

/** A v5 log as stored: the body as sent, the log's own id, its file and version. */
export type StoredV5Log = Record<string, unknown> & {
  id: string;
  type: V5LogType;
  file_id: string;
  version_id: string;
  log_status?: LogStatus;
  request_index: number;
};

/** A stored log and the API it came in by (the JSON-lines file's record shape). */
export type StoredRecord = { api: 'v4'; log: StoredV4Log } | { api: 'v5'; log: StoredV5Log };

/** A v4 create: the body of one item of `POST /logs`, already validated. */
export type V4Create = Record<string, unknown> & {
  project?: string;
  project_id?: string;
  session_id?: string;
  session_reference_id?: string;
  reference_id?: string;
};

/** What `POST /logs` answers for one log. */
export interface V4Created {
  id: string;
  project_id: string;
  session_id: string | null;
}

/** A file: a path that belongs to one file type, and the version its last kernel made. */
export interface V5File {
  id: string;
  type: V5LogType;
  path: string;
  version: string;
}

/** A v5 create that passed every check: to a known file (by id), or a new one at a path. */
export interface V5Create {
  type: V5FileType;
  body: Record<string, unknown>;
  destination: { fileId: string } | { newPath: string };
  /** The version's definition, when the body gave one. */
  kernel: unknown;
  logId: string | undefined;
  logStatus: LogStatus | undefined;
}

/** What `importV5` did with a batch: logs stored, and logs whose id was stored already (left as they were). */
export interface V5Imported {
  added: number;
  present: number;
}

/** The `request_index` of an imported log: no request of this server stored it. */
export const IMPORTED_REQUEST_INDEX = -1;

export interface V5Added {
  log: StoredV5Log;
  /** Flow and agent logs above it whose end moved to its end (updated logs too). */
  widened: StoredV5Log[];
}

/** Which logs a list, a count or a retention pass is about. Every field narrows; none means all. */
export interface LogFilter {
  api?: LogApi;
  /** A v5 file id. */
  fileId?: string;
  /** A v5 version id. */
  versionId?: string;
  /** A v5 file path. */
  path?: string;
  /** v4: `model`, `agent`, `tool`, `generic`...; v5: `prompt`, `tool`, `flow`, `agent`. */
  kind?: string;
  /** A v4 project, by name or id. */
  project?: string;
  /** A v4 session id. */
  sessionId?: string;
  /** The id of a trace's root log (as `trace()` names it). */
  traceId?: string;
  /** The log's own start (v4 `created_at`, v5 `start_time`; else when it was stored), epoch ms, inclusive. */
  since?: number;
  /** Exclusive. */
  until?: number;
  /** true: only logs with an error; false: only logs without. */
  error?: boolean;
  /** Text the log's JSON contains (ASCII letters match either case). */
  text?: string;
}

export interface PageRequest {
  filter?: LogFilter;
  /** `newest` (the default) or `oldest` first, by arrival. */
  order?: 'newest' | 'oldest';
  /** At most MAX_PAGE_SIZE; DEFAULT_PAGE_SIZE when not given. */
  limit?: number;
  /** The `next` of the page before. */
  cursor?: string;
}

export interface LogPage {
  logs: StoredRecord[];
  /** Present when more logs match: pass it as `cursor` for the next page. */
  next?: string;
}

export interface TraceNode {
  record: StoredRecord;
  children: TraceNode[];
}

export interface Trace {
  /** The trace's root (its id names the trace) and every log under it, by parent links. */
  roots: TraceNode[];
  count: number;
  /** More than MAX_TRACE_LOGS logs: the rest are left out. */
  truncated: boolean;
}

export interface LogTotals {
  logs: number;
  errors: number;
  promptTokens: number;
  outputTokens: number;
}

/** What a retention pass removed. */
export interface Pruned {
  logs: number;
  bytes: number;
}

/** Feedback on a v4 log (`POST /feedback`), as the API answers it: with its own id. */
export interface StoredFeedback {
  id: string;
  type: string;
  value?: unknown;
  data_id: string;
  user?: string;
  created_at?: string;
}

/** One checked item of `POST /feedback`: `unset` takes away the log's feedback of that type. */
export type FeedbackCreate = Omit<StoredFeedback, 'id'> & { unset?: boolean };

/** Feedback kept on a log, and the log as it is now. */
export interface FeedbackAdded {
  feedback: StoredFeedback;
  log: StoredV4Log;
}

/** A judgment (`POST /v5/evaluators/log`) as kept on the log it judges, in its `evaluator_logs`. */
export type StoredEvaluatorLog = Record<string, unknown> & {
  id: string;
  type: 'evaluator';
  parent_id: string;
  file_id: string;
  version_id: string;
};

/** A judgment that passed every check: of a stored v5 log, to a known evaluator file or a new one at a path. */
export interface EvaluatorCreate {
  body: Record<string, unknown>;
  parentId: string;
  destination: { fileId: string } | { newPath: string };
  /** The evaluator's spec, when the body gave one: it makes the version. */
  spec: unknown;
  logId: string | undefined;
}

export interface EvaluatorAdded {
  log: StoredEvaluatorLog;
  /** The judged log, with the judgment in its `evaluator_logs`. */
  parent: StoredV5Log;
}

/** What a version's answer needs: its oldest and newest stored logs, and how many logs it and its file have. */
export interface V5VersionFacts {
  first: StoredV5Log | undefined;
  last: StoredV5Log | undefined;
  versionLogs: number;
  fileLogs: number;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;
export const MAX_TRACE_LOGS = 10_000;

export interface LogStorage {
  /** Which engine: `memory`, `sqlite` or `postgres`. */
  readonly engine: string;

  /** Stores the items of one `POST /logs`, all or none. */
  addV4(logs: V4Create[], requestIndex: number): Promise<V4Created[]>;
  /** Applies a v4 PATCH to the log of that id or (the latest of) that reference id; undefined when none. */
  updateV4(target: { id?: string; referenceId?: string }, changes: Record<string, unknown>): Promise<StoredV4Log | undefined>;
  hasReferenceId(referenceId: string): Promise<boolean>;
  /** Keeps each item on the v4 log its `data_id` names (one that names none is left out), all or none. */
  addFeedback(items: readonly FeedbackCreate[]): Promise<FeedbackAdded[]>;

  addV5(create: V5Create, requestIndex: number): Promise<V5Added>;
  /** Applies checked changes; completing a flow or agent stamps its end. */
  updateV5(id: string, changes: Record<string, unknown>): Promise<StoredV5Log | undefined>;
  /**
   * Stores v5 logs kept elsewhere (an export) under their own ids, file and version ids, all or none;
   * a log whose id is stored already (or came earlier in the batch) is left as it is. Each log joins
   * its trace by `trace_parent_id`, whichever of parent and child comes first. A file not yet known
   * is kept with the path and version of its first log here (its path left empty when another file has it).
   */
  importV5(logs: readonly StoredV5Log[]): Promise<V5Imported>;
  file(id: string): Promise<V5File | undefined>;
  fileAtPath(path: string): Promise<V5File | undefined>;
  /** The oldest and newest logs of a version, and the counts of its and its file's logs. */
  versionFacts(fileId: string, versionId: string): Promise<V5VersionFacts>;
  /** Keeps a judgment on the v5 log it judges; undefined when that log is not stored. */
  addEvaluatorLog(create: EvaluatorCreate): Promise<EvaluatorAdded | undefined>;
  /** A judgment by its id: kept on the log it judges, or stored as a log of its own (imported). */
  evaluatorLog(id: string): Promise<StoredEvaluatorLog | undefined>;

  get(api: LogApi, id: string): Promise<StoredRecord | undefined>;
  list(request?: PageRequest): Promise<LogPage>;
  /** The trace the log belongs to, from its root, as a tree. */
  trace(api: LogApi, id: string): Promise<Trace | undefined>;
  totals(filter?: LogFilter): Promise<LogTotals>;

  /** Puts back a record kept elsewhere (an earlier run's file); one of the same id is replaced. */
  restore(record: StoredRecord): Promise<void>;

  /** Removes logs older than `retainDays` and the oldest past `retainBytes`; the background job calls it. */
  prune(): Promise<Pruned>;
  close(): Promise<void>;
}

/** A store that cannot be opened: not ours, from a newer version, or corrupt. */
export class StoreOpenError extends Error {
  override readonly name = 'StoreOpenError';
}

/**
 * The engine cannot be reached now (PostgreSQL down, restarting or out of connections): try again
 * later. The call was not done, or (when the connection dropped while a write committed) its outcome
 * is unknown; a write that failed so was never acknowledged.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/**
 * A log of the id a write chose is stored already (a client's `log_id`, taken by another write,
 * perhaps of another server, at the same moment): nothing of the write was stored.
 */
export class LogIdTakenError extends Error {
  override readonly name = 'LogIdTakenError';
}

/** The engine has no room for a write (a full disk): nothing of it was stored. Writes work again once there is room. */
export class StoreFullError extends Error {
  override readonly name = 'StoreFullError';
}
