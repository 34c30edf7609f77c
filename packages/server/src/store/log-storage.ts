/**
 * The log server's storage logic, once for every engine: ids like the API's, projects and sessions
 * remembered by name, v5 files and versions, trace membership, completion stamps, pages and
 * retention. Engines (tables.ts) only keep rows.
 */
import { fileId, hasStatus, newId, versionId } from './ids.js';
import { evaluatorLogOf, withEvaluatorLog, withFeedback } from './judgments.js';
import { recordOf, rowOf, type LogRow } from './row.js';
import { pruneOnce, RetentionJob, type RetentionOptions } from './retention.js';
import type { TableWrites, Tables } from './tables.js';
import { linkBatch, parentKeysOf } from './trace-links.js';
import { buildTrace } from './trace-tree.js';
import {
  DEFAULT_PAGE_SIZE,
  IMPORTED_REQUEST_INDEX,
  MAX_PAGE_SIZE,
  MAX_TRACE_LOGS,
  type LogApi,
  type LogFilter,
  type LogPage,
  type LogStorage,
  type LogTotals,
  type EvaluatorAdded,
  type EvaluatorCreate,
  type FeedbackAdded,
  type FeedbackCreate,
  type StoredEvaluatorLog,
  type V5VersionFacts,
  LogIdTakenError,
  type PageRequest,
  type Pruned,
  type StoredRecord,
  type StoredV4Log,
  type StoredV5Log,
  type Trace,
  type V4Create,
  type V4Created,
  type V5Added,
  type V5Create,
  type V5File,
  type V5Imported,
} from './types.js';

/** Levels of ancestors whose end a child's end may move. */
const MAX_TRACE_DEPTH = 256;

export interface StorageOptions extends RetentionOptions {
  /** Wall clock, epoch ms (tests pass their own). */
  now?: () => number;
}

export class LogStore implements LogStorage {
  private readonly _now: () => number;
  private readonly _retention: RetentionJob;

  constructor(
    private readonly _tables: Tables,
    private readonly _options: StorageOptions = {},
  ) {
    this._now = _options.now ?? Date.now;
    this._retention = new RetentionJob(() => this.prune(), _options);
  }

  get engine(): string {
    return this._tables.engine;
  }

  async addV4(logs: V4Create[], requestIndex: number): Promise<V4Created[]> {
    const created = await this._tables.write(async (tx) => {
      const stored: StoredV4Log[] = [];
      for (const log of logs) stored.push(await this._v4Log(tx, log, requestIndex));
      await this._insert(tx, stored.map((log) => ({ api: 'v4', log })), requestIndex);
      return stored.map(({ id, project_id, session_id }) => ({ id, project_id, session_id }));
    });
    this._retention.wrote();
    return created;
  }

  /** The log as stored: its id, and its project's and session's ids. */
  private async _v4Log(tx: TableWrites, log: V4Create, requestIndex: number): Promise<StoredV4Log> {
    const project_id = log.project_id ?? (await tx.memo('projects', log.project ?? '', newId('pr_')));
    const sessionRef = log.session_reference_id;
    const session_id = log.session_id ?? (sessionRef === undefined ? null : await tx.memo('sessions', sessionRef, newId('sesh_')));
    return { ...log, id: newId('data_'), project_id, session_id, request_index: requestIndex };
  }

  async updateV4(target: { id?: string; referenceId?: string }, changes: Record<string, unknown>): Promise<StoredV4Log | undefined> {
    return this._tables.write(async (tx) => {
      const row = target.id !== undefined ? await tx.find('v4', target.id) : await tx.findByReference(target.referenceId ?? '');
      if (!row) return undefined;
      const log = { ...(recordOf(row).log as StoredV4Log), ...changes };
      await tx.replace(rowOf({ api: 'v4', log }, row.storedMs, row.traceId));
      return log;
    });
  }

  async hasReferenceId(referenceId: string): Promise<boolean> {
    return (await this._tables.findByReference(referenceId)) !== undefined;
  }

  async addFeedback(items: readonly FeedbackCreate[]): Promise<FeedbackAdded[]> {
    return this._tables.write(async (tx) => {
      const added: FeedbackAdded[] = [];
      for (const item of items) {
        const row = await tx.find('v4', item.data_id);
        if (!row) continue;
        const given = withFeedback(recordOf(row).log as StoredV4Log, item, newId('ann_'));
        await tx.replace(rowOf({ api: 'v4', log: given.log }, row.storedMs, row.traceId));
        added.push(given);
      }
      return added;
    });
  }

  /** Stamps `created_at` when the body has none: when the server stored it. */
  async addV5(create: V5Create, requestIndex: number): Promise<V5Added> {
    const added = await this._tables.write(async (tx) => {
      if (create.logId !== undefined && (await tx.find('v5', create.logId))) throw takenError(create.logId);
      const file = await this._fileFor(tx, create);
      const ids = { id: create.logId ?? (await this._newLogId(tx)), type: create.type, file_id: file.id, version_id: file.version };
      const status = create.logStatus === undefined ? {} : { log_status: create.logStatus };
      const given = create.body.created_at;
      const created_at = typeof given === 'string' ? given : new Date(this._now()).toISOString();
      const log = { ...create.body, ...ids, ...status, created_at, request_index: requestIndex } as StoredV5Log;
      await this._insert(tx, [{ api: 'v5', log }], requestIndex);
      return { log, widened: await this._widenTraceEnd(tx, log) };
    });
    this._retention.wrote();
    return added;
  }

  private async _fileFor(tx: TableWrites, create: V5Create): Promise<V5File> {
    const { destination, type } = create;
    let file = 'fileId' in destination ? await tx.file(destination.fileId) : await tx.fileAtPath(destination.newPath);
    if (file && file.type !== type) {
      // Forgotten with its last log (only then does validation let another type have its path): it gives the path up.
      await tx.putFile({ ...file, path: '' });
      file = undefined;
    }
    if (!file) {
      const path = 'newPath' in destination ? destination.newPath : '';
      const id = 'fileId' in destination ? destination.fileId : fileId(type, await tx.nextCounter('file'));
      file = { id, type, path, version: '' };
    }
    if (create.kernel !== undefined) file = { ...file, version: versionId(file.type, file.id, create.kernel) };
    await tx.putFile(file);
    return file;
  }

  /** `log_<n>`, skipping any a client chose as its `log_id`. */
  private async _newLogId(tx: TableWrites): Promise<string> {
    for (;;) {
      const id = `log_${await tx.nextCounter('log')}`;
      if (!(await tx.find('v5', id))) return id;
    }
  }

  async updateV5(id: string, changes: Record<string, unknown>): Promise<StoredV5Log | undefined> {
    return this._tables.write(async (tx) => {
      const row = await tx.findByKey('v5', id);
      if (!row) return undefined;
      const before = recordOf(row).log as StoredV5Log;
      const log = { ...before, ...changes } as StoredV5Log;
      if (changes.log_status === 'complete' && before.log_status !== 'complete') log.end_time = new Date(this._now()).toISOString();
      await tx.replace(rowOf({ api: 'v5', log }, row.storedMs, row.traceId));
      return log;
    });
  }

  /** A flow or agent log above a child that ends later ends no earlier than it (as Humanloop moves a trace's end). */
  private async _widenTraceEnd(tx: TableWrites, child: StoredV5Log): Promise<StoredV5Log[]> {
    const widened: StoredV5Log[] = [];
    const end = child.end_time;
    if (typeof end !== 'string' || !Number.isFinite(Date.parse(end))) return widened;
    let parentId = child.trace_parent_id;
    for (let depth = 0; typeof parentId === 'string' && depth < MAX_TRACE_DEPTH; depth++) {
      const row = await tx.findByKey('v5', parentId);
      if (!row) break;
      const parent = recordOf(row).log as StoredV5Log;
      const known = typeof parent.end_time === 'string' ? Date.parse(parent.end_time) : NaN;
      if (hasStatus(parent.type) && !(known >= Date.parse(end))) {
        parent.end_time = end;
        await tx.replace(rowOf({ api: 'v5', log: parent }, row.storedMs, row.traceId));
        widened.push(parent);
      }
      parentId = parent.trace_parent_id;
    }
    return widened;
  }

  /**
   * Stores new logs of one API, in order, each in its trace: its parent's; stored logs that named one
   * of them before it came join its trace. One parent lookup, one move and one insert for them all.
   */
  private async _insert(tx: TableWrites, records: StoredRecord[], requestIndex: number): Promise<void> {
    const api = records[0]?.api;
    if (api === undefined) return;
    const rows = records.map((record) => rowOf(record, this._now()));
    const moves = linkBatch(rows, await tx.parents(api, parentKeysOf(rows)));
    await tx.moveTraces(api, moves);
    await tx.insert(rows, requestIndex);
  }

  async importV5(logs: readonly StoredV5Log[]): Promise<V5Imported> {
    const imported = await this._tables.write(async (tx) => {
      const stored = await tx.existing('v5', [...new Set(logs.map((log) => log.id))]);
      const fresh: StoredV5Log[] = [];
      for (const log of logs) {
        if (stored.has(log.id)) continue;
        stored.add(log.id);
        fresh.push(log);
      }
      await this._insert(tx, fresh.map((log) => ({ api: 'v5', log })), IMPORTED_REQUEST_INDEX);
      await this._keepFiles(tx, fresh);
      return { added: fresh.length, present: logs.length - fresh.length };
    });
    if (imported.added > 0) this._retention.wrote();
    return imported;
  }

  /** The files of imported logs that the store does not know yet: the path and version of each one's first log. */
  private async _keepFiles(tx: TableWrites, logs: readonly StoredV5Log[]): Promise<void> {
    const firsts = new Map<string, StoredV5Log>();
    for (const log of logs) if (!firsts.has(log.file_id)) firsts.set(log.file_id, log);
    for (const { file_id, type, path, version_id } of firsts.values()) {
      if (await tx.file(file_id)) continue;
      const free = typeof path === 'string' && path !== '' && (await tx.fileAtPath(path)) === undefined;
      await tx.putFile({ id: file_id, type, path: free ? path : '', version: version_id });
    }
  }

  file(id: string): Promise<V5File | undefined> {
    return this._tables.file(id);
  }

  async versionFacts(fileId: string, versionId: string): Promise<V5VersionFacts> {
    const ofVersion: LogFilter = { api: 'v5', versionId };
    const [first, last, version, file] = await Promise.all([
      this._tables.page({ filter: ofVersion, newestFirst: false, afterSeq: undefined, limit: 1 }),
      this._tables.page({ filter: ofVersion, newestFirst: true, afterSeq: undefined, limit: 1 }),
      this._tables.totals(ofVersion),
      this._tables.totals({ api: 'v5', fileId }),
    ]);
    const logOf = (rows: Array<{ row: LogRow }>) => rows[0] && (recordOf(rows[0].row).log as StoredV5Log);
    return { first: logOf(first), last: logOf(last), versionLogs: version.logs, fileLogs: file.logs };
  }

  async addEvaluatorLog(create: EvaluatorCreate): Promise<EvaluatorAdded | undefined> {
    return this._tables.write(async (tx) => {
      const row = await tx.find('v5', create.parentId);
      if (!row) return undefined;
      if (create.logId !== undefined && ((await tx.memoOf('judgments', create.logId)) !== undefined || (await tx.find('v5', create.logId)))) throw takenError(create.logId);
      const file = await this._evaluatorFile(tx, create);
      const id = create.logId ?? (await this._newEvaluatorLogId(tx));
      const log: StoredEvaluatorLog = { ...create.body, id, type: 'evaluator', file_id: file.id, version_id: file.version, parent_id: row.id };
      const parent = withEvaluatorLog(recordOf(row).log as StoredV5Log, log);
      await tx.replace(rowOf({ api: 'v5', log: parent }, row.storedMs, row.traceId));
      // Another write may have kept this id for another log since it was looked up.
      if ((await tx.memo('judgments', id, row.id)) !== row.id) throw takenError(id);
      return { log, parent };
    });
  }

  private async _evaluatorFile(tx: TableWrites, create: EvaluatorCreate): Promise<V5File> {
    const { destination } = create;
    let file = 'fileId' in destination ? await tx.file(destination.fileId) : await tx.fileAtPath(destination.newPath);
    if (!file) {
      let id: string;
      do id = fileId('evaluator', await tx.nextCounter('evaluator-file'));
      while (await tx.file(id));
      file = { id, type: 'evaluator', path: 'newPath' in destination ? destination.newPath : '', version: '' };
    }
    if (create.spec !== undefined) file = { ...file, version: versionId('evaluator', file.id, create.spec) };
    await tx.putFile(file);
    return file;
  }

  /** `evlog_<n>`, skipping any a client chose. */
  private async _newEvaluatorLogId(tx: TableWrites): Promise<string> {
    for (;;) {
      const id = `evlog_${await tx.nextCounter('evaluator-log')}`;
      if ((await tx.memoOf('judgments', id)) === undefined && !(await tx.find('v5', id))) return id;
    }
  }

  async evaluatorLog(id: string): Promise<StoredEvaluatorLog | undefined> {
    const parentId = await this._tables.memoOf('judgments', id);
    const parent = parentId === undefined ? undefined : await this._tables.find('v5', parentId);
    if (parent) return evaluatorLogOf(recordOf(parent).log as StoredV5Log, id);
    const own = await this._tables.find('v5', id);
    const log = own && (recordOf(own).log as StoredV5Log);
    return log?.type === 'evaluator' ? (log as unknown as StoredEvaluatorLog) : undefined;
  }

  fileAtPath(path: string): Promise<V5File | undefined> {
    return this._tables.fileAtPath(path);
  }

  async get(api: LogApi, id: string): Promise<StoredRecord | undefined> {
    const row = await this._tables.find(api, id);
    return row && recordOf(row);
  }

  async list(request: PageRequest = {}): Promise<LogPage> {
    const limit = Math.max(1, Math.min(MAX_PAGE_SIZE, Math.floor(request.limit ?? DEFAULT_PAGE_SIZE)));
    const afterSeq = request.cursor === undefined ? undefined : parseCursor(request.cursor);
    const newestFirst = request.order !== 'oldest';
    const rows = await this._tables.page({ filter: request.filter ?? {}, newestFirst, afterSeq, limit: limit + 1 });
    const logs = rows.slice(0, limit).map(({ row }) => recordOf(row));
    const last = rows[limit - 1];
    return rows.length > limit && last ? { logs, next: formatCursor(last.seq) } : { logs };
  }

  async trace(api: LogApi, id: string): Promise<Trace | undefined> {
    const row = await this._tables.find(api, id);
    if (!row) return undefined;
    const rows = await this._tables.traceRows(api, row.traceId, MAX_TRACE_LOGS + 1);
    return buildTrace(rows.slice(0, MAX_TRACE_LOGS), rows.length > MAX_TRACE_LOGS);
  }

  totals(filter: LogFilter = {}): Promise<LogTotals> {
    return this._tables.totals(filter);
  }

  async restore(record: StoredRecord): Promise<void> {
    await this._tables.write(async (tx) => {
      const existing = await tx.find(record.api, record.log.id);
      if (existing) await tx.replace(rowOf(record, existing.storedMs, existing.traceId));
      else {
        await this._insert(tx, [record], record.log.request_index);
        await this._rememberNames(tx, record);
      }
      if (record.api === 'v5') await this._rememberJudgments(tx, record.log);
    });
    this._retention.wrote();
  }

  /** A restored log's judgments are found by their ids again, which new judgments do not take. */
  private async _rememberJudgments(tx: TableWrites, log: StoredV5Log): Promise<void> {
    const judged: unknown[] = Array.isArray(log.evaluator_logs) ? log.evaluator_logs : [];
    for (const item of judged) {
      const id = (item as { id?: unknown } | null)?.id;
      if (typeof id === 'string') await tx.memo('judgments', id, log.id);
    }
  }

  /** A restored log's project, session and file keep their ids for logs that follow. */
  private async _rememberNames(tx: TableWrites, record: StoredRecord): Promise<void> {
    if (record.api === 'v4') {
      const { project, project_id, session_reference_id, session_id } = record.log;
      const name = typeof project === 'string' ? project : project_id;
      await tx.memo('projects', name, project_id);
      if (typeof session_reference_id === 'string' && typeof session_id === 'string') await tx.memo('sessions', session_reference_id, session_id);
      return;
    }
    const { file_id, type, path, version_id } = record.log;
    const known = await tx.file(file_id);
    const atPath = typeof path === 'string' && known === undefined ? await tx.fileAtPath(path) : undefined;
    const filePath = typeof path === 'string' && atPath === undefined ? path : (known?.path ?? '');
    await tx.putFile({ id: file_id, type, path: filePath, version: version_id });
  }

  prune(): Promise<Pruned> {
    return pruneOnce(this._tables, this._options, this._now());
  }

  async close(): Promise<void> {
    await this._retention.stop();
    await this._tables.close();
  }
}

function takenError(id: string): LogIdTakenError {
  return new LogIdTakenError(`a log of id ${JSON.stringify(id)} is stored already; nothing of the write was stored`);
}

function formatCursor(seq: number): string {
  return Buffer.from(`s${seq}`).toString('base64url');
}

function parseCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString();
  const seq = /^s(\d{1,15})$/.exec(text)?.[1];
  if (seq === undefined) throw new RangeError('not a cursor this store handed out');
  return Number(seq);
}
