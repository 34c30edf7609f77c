import { createHash } from 'node:crypto';
import { LogList } from './log-list.js';
import { EvaluatorLogs, type KnownLogs } from './v5-evaluators.js';
import { trimOldest } from './recent.js';
import { V5_KINDS, type LogStatus, type V5FileType } from './v5-kinds.js';

/**
 * A v5 log as the local server keeps it: the body as sent, plus what the server gave it. The
 * body's `id` (the file the log was sent to, when given by id) gives way to the log's own id;
 * `file_id` keeps the file's.
 */
export interface StoredV5Log {
  /** The log's id: the client's `log_id` when it gave one, else `log_<n>`. */
  id: string;
  type: V5FileType;
  file_id: string;
  version_id: string;
  /** Flow and agent logs only. */
  log_status?: LogStatus;
  /** Which request (by index) stored it. */
  request_index: number;
  path?: string | null;
  trace_parent_id?: string | null;
  [field: string]: unknown;
}

/** A file: a path that belongs to one file type, and the version its last kernel made. */
export interface V5File {
  readonly id: string;
  readonly type: V5FileType;
  readonly path: string;
  version: string;
}

/** Where a checked create goes: a known file, or a new one at a path. */
export type Destination = { file: V5File } | { newPath: string };

/** A create request that passed every check, ready to store. */
export interface V5Create {
  type: V5FileType;
  body: Record<string, unknown>;
  destination: Destination;
  /** The version's definition, when the body gave one. */
  kernel: unknown;
  logId: string | undefined;
  logStatus: LogStatus | undefined;
}

/** What the v5 checks need to know of earlier requests. */
export interface KnownV5 {
  file(id: string): V5File | undefined;
  fileAtPath(path: string): V5File | undefined;
  log(id: string): Readonly<StoredV5Log> | undefined;
}

const VERSION_HASH_CHARS = 12;
/** Levels of ancestors whose end a child's end may move. */
const MAX_TRACE_DEPTH = 256;

/** The v5 logs in arrival order, with the files and versions they made. */
export class V5Store extends LogList<StoredV5Log> implements KnownV5 {
  /** Evaluator logs, kept on the logs they judge. */
  readonly evaluators = new EvaluatorLogs();
  private readonly _files = new Map<string, V5File>();
  private readonly _paths = new Map<string, V5File>();
  // Never reset by clear(): an id handed out once is not handed out again for another log or file.
  private _logCounter = 0;
  private _fileCounter = 0;

  file(id: string): V5File | undefined {
    return this._files.get(id);
  }

  fileAtPath(path: string): V5File | undefined {
    return this._paths.get(path);
  }

  log(id: string): Readonly<StoredV5Log> | undefined {
    return this.find(id);
  }

  /** What the checks of an evaluator log need of the other logs and files. */
  get known(): KnownLogs {
    return {
      logToJudge: (id) => this.find(id),
      isTaken: (id) => this.hasLogId(id),
      typeAtPath: (path) => this._paths.get(path)?.type,
    };
  }

  /**
   * Stores a checked create and returns the stored log (the store's own: copy before handing out).
   * `onWidened` hears of each flow or agent above it whose end moved to the new log's end.
   */
  add(create: V5Create, requestIndex: number, onWidened?: (ancestor: Readonly<StoredV5Log>) => void): Readonly<StoredV5Log> {
    const { type, destination } = create;
    const file = 'file' in destination ? destination.file : this._newFile(type, destination.newPath);
    if (create.kernel !== undefined) file.version = versionId(file, create.kernel);
    const status = create.logStatus === undefined ? {} : { log_status: create.logStatus };
    const ids = { id: create.logId ?? this._newLogId(), type, file_id: file.id, version_id: file.version };
    // The parsed request body is the server's own: completed in place rather than copied.
    const stored: StoredV5Log = Object.assign(create.body, ids, status, { request_index: requestIndex });
    this.keep(stored);
    this._widenTraceEnd(stored, onWidened);
    return stored;
  }

  /**
   * Applies checked changes to a stored log and returns a copy of it. Completing a flow or agent
   * log stamps its end: their update bodies have no `end_time`, and Humanloop sets it so.
   */
  update(id: string, changes: Record<string, unknown>): StoredV5Log | undefined {
    const log = this.find(id);
    if (!log) return undefined;
    const completing = changes.log_status === 'complete' && log.log_status !== 'complete';
    Object.assign(log, changes);
    if (completing) log.end_time = new Date().toISOString();
    return structuredClone(log);
  }

  /**
   * Puts back a log kept from an earlier run (as it was stored, updates applied); a log of the
   * same id is replaced. Its file is known again, at its path, with the log's version.
   */
  restore(log: StoredV5Log): void {
    const stored = this.restoreLog(log);
    let file = this._files.get(stored.file_id);
    if (!file) {
      file = { id: stored.file_id, type: stored.type, path: typeof stored.path === 'string' ? stored.path : '', version: '' };
      this._files.set(file.id, file);
      if (file.path !== '' && !this._paths.has(file.path)) this._paths.set(file.path, file);
    }
    file.version = stored.version_id;
    this._widenTraceEnd(stored);
    this.evaluators.restored(stored);
  }

  protected override forget(log: StoredV5Log): void {
    this.evaluators.forget(log);
  }

  override clear(): void {
    super.clear();
    this.evaluators.clear();
    this._files.clear();
    this._paths.clear();
  }

  /** A flow or agent log above a child that ends later ends no earlier than it (as Humanloop moves a trace's end). */
  private _widenTraceEnd(child: StoredV5Log, onWidened?: (ancestor: Readonly<StoredV5Log>) => void): void {
    const end = child.end_time;
    if (typeof end !== 'string' || !Number.isFinite(Date.parse(end))) return;
    let parent = typeof child.trace_parent_id === 'string' ? this.find(child.trace_parent_id) : undefined;
    for (let depth = 0; parent && depth < MAX_TRACE_DEPTH; depth++) {
      const known = typeof parent.end_time === 'string' ? Date.parse(parent.end_time) : NaN;
      if (V5_KINDS[parent.type].hasStatus && !(known >= Date.parse(end))) {
        parent.end_time = end;
        onWidened?.(parent);
      }
      parent = typeof parent.trace_parent_id === 'string' ? this.find(parent.trace_parent_id) : undefined;
    }
  }

  private _newFile(type: V5FileType, path: string): V5File {
    let id: string;
    do id = `${V5_KINDS[type].filePrefix}${++this._fileCounter}`;
    while (this._files.has(id));
    const file: V5File = { id, type, path, version: '' };
    this._files.set(file.id, file);
    this._paths.set(path, file);
    // Files are remembered for as many as there are logs, the oldest forgotten first.
    trimOldest(this._files, this.maxLogs, (_, forgotten) => {
      if (this._paths.get(forgotten.path) === forgotten) this._paths.delete(forgotten.path);
    });
    return file;
  }

  /** `log_<n>`, skipping any a client chose as its `log_id`. */
  private _newLogId(): string {
    let id: string;
    do id = `log_${++this._logCounter}`;
    while (this.hasLogId(id));
    return id;
  }
}

/** The same kernel on the same file is the same version, whatever the key order or null fields. */
function versionId(file: V5File, kernel: unknown): string {
  const hash = createHash('sha256').update(file.id).update('\0').update(JSON.stringify(canonical(kernel)));
  return `${V5_KINDS[file.type].versionPrefix}${hash.digest('hex').slice(0, VERSION_HASH_CHARS)}`;
}

/** Objects with sorted keys and without null members (a null field is an absent one). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, member]) => member !== null);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, member]) => [key, canonical(member)]));
}
