import { LogList } from './log-list.js';
import { EvaluatorLogs, type KnownLogs } from './v5-evaluators.js';
import { V5Files, type V5File, type V5Version } from './v5-files.js';
import { MAX_TRACE_DEPTH, V5_KINDS, type LogStatus, type V5FileType } from './v5-kinds.js';

export type { V5File, V5Version } from './v5-files.js';

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


/** The v5 logs in arrival order, with the files and versions they made, and each log's trace children. */
export class V5Store extends LogList<StoredV5Log> implements KnownV5 {
  /** Evaluator logs, kept on the logs they judge. */
  readonly evaluators = new EvaluatorLogs();
  private readonly _files = new V5Files();
  /** Ids of each log's children, in arrival order. */
  private readonly _children = new Map<string, string[]>();
  // Never reset by clear(): an id handed out once is not handed out again for another log.
  private _logCounter = 0;

  file(id: string): V5File | undefined {
    return this._files.file(id);
  }

  fileAtPath(path: string): V5File | undefined {
    return this._files.fileAtPath(path);
  }

  version(id: string): Readonly<V5Version> | undefined {
    return this._files.version(id);
  }

  log(id: string): Readonly<StoredV5Log> | undefined {
    return this.find(id);
  }

  /** The stored logs themselves, in arrival order: for reading only, never to hand out. */
  logs(): ReadonlyArray<Readonly<StoredV5Log>> {
    return this.own();
  }

  /** The stored logs whose trace parent is `id`, in arrival order (the store's own: read only). */
  childrenOf(id: string): Array<Readonly<StoredV5Log>> {
    const children: Array<Readonly<StoredV5Log>> = [];
    for (const childId of this._children.get(id) ?? []) {
      const child = this.find(childId);
      if (child) children.push(child);
    }
    return children;
  }

  /** What the checks of an evaluator log need of the other logs and files. */
  get known(): KnownLogs {
    return {
      logToJudge: (id) => this.find(id),
      isTaken: (id) => this.hasLogId(id),
      typeAtPath: (path) => this._files.fileAtPath(path)?.type,
    };
  }

  /**
   * Stores a checked create and returns the stored log (the store's own: copy before handing out).
   * `onWidened` hears of each flow or agent above it whose end moved to the new log's end.
   */
  add(create: V5Create, requestIndex: number, onWidened?: (ancestor: Readonly<StoredV5Log>) => void): Readonly<StoredV5Log> {
    const { type, destination, body } = create;
    const file = 'file' in destination ? destination.file : this._files.create(type, destination.newPath);
    const createdAt = typeof body.created_at === 'string' ? body.created_at : new Date().toISOString();
    const version = this._files.fileLog(file, create.kernel, createdAt);
    const status = create.logStatus === undefined ? {} : { log_status: create.logStatus };
    const ids = { id: create.logId ?? this._newLogId(), type, file_id: file.id, version_id: version };
    // The parsed request body is the server's own: completed in place rather than copied.
    const stored: StoredV5Log = Object.assign(body, ids, status, { created_at: createdAt, request_index: requestIndex });
    this._addChild(stored);
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
    const known = this.hasLogId(log.id);
    const stored = this.restoreLog(log);
    if (!known) {
      this._files.restore(stored, stored[V5_KINDS[stored.type].kernel] ?? undefined);
      this._addChild(stored);
    }
    this._widenTraceEnd(stored);
    this.evaluators.restored(stored);
  }

  override clear(): void {
    super.clear();
    this.evaluators.clear();
    this._files.clear();
    this._children.clear();
  }

  protected override forget(log: StoredV5Log): void {
    this.evaluators.forget(log);
    this._files.forget(log);
    this._children.delete(log.id);
    const parent = typeof log.trace_parent_id === 'string' ? this._children.get(log.trace_parent_id) : undefined;
    const at = parent?.indexOf(log.id) ?? -1;
    if (parent && at !== -1) parent.splice(at, 1);
  }

  private _addChild(log: StoredV5Log): void {
    if (typeof log.trace_parent_id !== 'string') return;
    const siblings = this._children.get(log.trace_parent_id);
    if (siblings) siblings.push(log.id);
    else this._children.set(log.trace_parent_id, [log.id]);
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

  /** `log_<n>`, skipping any a client chose as its `log_id`. */
  private _newLogId(): string {
    let id: string;
    do id = `log_${++this._logCounter}`;
    while (this.hasLogId(id));
    return id;
  }
}
