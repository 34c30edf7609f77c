/**
 * The memory engine: rows in arrival order in maps, for tests and for a server without `--db`.
 * Bounded: past `maxLogs` logs of one API the oldest of that API goes. `failNextWrite` makes the
 * next write fail, for tests of what a server does when its store does. Its synchronous reads
 * (`records`, `count`) are the test log server's accessors.
 */
import { matches } from './filter.js';
import { recordOf, type LogRow } from './row.js';
import type { MemoTable, PageQuery, TableWrites, Tables } from './tables.js';
import type { StoredParent } from './trace-links.js';
import type { LogApi, LogFilter, LogTotals, StoredRecord, V5File } from './types.js';

export const DEFAULT_MAX_MEMORY_LOGS = 100_000;

interface Entry {
  seq: number;
  row: LogRow;
}

export class MemoryTables implements Tables, TableWrites {
  readonly engine = 'memory';
  private readonly _entries = new Map<number, Entry>();
  private readonly _byId = new Map<string, Entry>();
  /** Each API's entries in arrival order: the oldest of an API is its first. */
  private readonly _byApi: Record<LogApi, Map<number, Entry>> = { v4: new Map(), v5: new Map() };
  /** Entries by API and reference id, in arrival order: the last is the latest. */
  private readonly _byReference = new Map<string, Entry[]>();
  /** Entries by API and trace id. */
  private readonly _byTrace = new Map<string, Set<Entry>>();
  private readonly _memos = { projects: new Map<string, string>(), sessions: new Map<string, string>(), judgments: new Map<string, string>() };
  private readonly _files = new Map<string, V5File>();
  private readonly _counters = new Map<string, number>();
  private _seq = 0;
  private _queue: Promise<unknown> = Promise.resolve();
  private _fault: Error | undefined;
  private _undo: Array<() => void> = [];
  private _pushedOut = 0;

  constructor(
    private readonly _maxLogs = DEFAULT_MAX_MEMORY_LOGS,
    /** Hears of each log pushed out to stay within maxLogs. */
    private readonly _onPushedOut?: () => void,
  ) {}

  /** Copies of an API's stored logs, in arrival order. */
  records(api: LogApi): StoredRecord[] {
    return [...this._byApi[api].values()].map(({ row }) => recordOf(row));
  }

  /** How many logs are stored, of one API or of both. */
  count(api?: LogApi): number {
    return api === undefined ? this._entries.size : this._byApi[api].size;
  }

  /** Logs pushed out to stay within maxLogs, since the start or `clear()`. */
  get pushedOut(): number {
    return this._pushedOut;
  }

  /** Forgets every log, name and file; counters go on, so no id is handed out twice. */
  clear(): void {
    this._entries.clear();
    this._byId.clear();
    this._byApi.v4.clear();
    this._byApi.v5.clear();
    this._byReference.clear();
    this._byTrace.clear();
    for (const memo of Object.values(this._memos)) memo.clear();
    this._files.clear();
    this._pushedOut = 0;
  }

  /** The next write fails with this error once its work is done, and is undone. */
  failNextWrite(error: Error): void {
    this._fault = error;
  }

  /** Writes run one at a time; a failed one is undone (all but logs pushed out to make room). */
  write<T>(work: (tx: TableWrites) => Promise<T>): Promise<T> {
    const run = this._queue.then(async () => {
      const fault = this._fault;
      this._fault = undefined;
      this._undo = [];
      try {
        const result = await work(this);
        if (fault) throw fault;
        return result;
      } catch (error) {
        for (const undo of this._undo.reverse()) undo();
        throw error;
      } finally {
        this._undo = [];
      }
    });
    this._queue = run.catch(() => undefined);
    return run;
  }

  async find(api: LogApi, id: string): Promise<LogRow | undefined> {
    return Promise.resolve(this._byId.get(idKey(api, id))?.row);
  }

  async findByReference(referenceId: string): Promise<LogRow | undefined> {
    return Promise.resolve(this._latest('v4', referenceId)?.row);
  }

  async findByKey(api: LogApi, key: string): Promise<LogRow | undefined> {
    return (await this.find(api, key)) ?? this._latest(api, key)?.row;
  }

  private _latest(api: LogApi, referenceId: string): Entry | undefined {
    return this._byReference.get(idKey(api, referenceId))?.at(-1);
  }

  async parents(api: LogApi, keys: readonly string[]): Promise<Map<string, StoredParent>> {
    const found = new Map<string, StoredParent>();
    const wanted = new Set<string>();
    for (const key of keys) {
      const row = this._byId.get(idKey(api, key))?.row;
      if (row) found.set(key, { traceId: row.traceId, byId: true });
      else wanted.add(key);
    }
    for (const key of wanted) {
      const latest = this._latest(api, key);
      if (latest) found.set(key, { traceId: latest.row.traceId, byId: false });
    }
    return Promise.resolve(found);
  }

  async existing(api: LogApi, ids: readonly string[]): Promise<Set<string>> {
    return Promise.resolve(new Set(ids.filter((id) => this._byId.has(idKey(api, id)))));
  }

  async insert(rows: readonly LogRow[]): Promise<void> {
    for (const row of rows) await this._insertOne(row);
  }

  private async _insertOne(row: LogRow): Promise<void> {
    const entry = { seq: ++this._seq, row };
    this._entries.set(entry.seq, entry);
    const ofApi = this._byApi[row.api];
    ofApi.set(entry.seq, entry);
    const key = idKey(row.api, row.id);
    const before = this._byId.get(key);
    this._byId.set(key, entry);
    this._index(entry);
    this._undo.push(() => {
      this._entries.delete(entry.seq);
      ofApi.delete(entry.seq);
      this._unindex(entry);
      if (before) this._byId.set(key, before);
      else this._byId.delete(key);
    });
    while (ofApi.size > this._maxLogs) this._pushOut(ofApi.values().next().value!);
    return Promise.resolve();
  }

  private _pushOut(entry: Entry): void {
    this._remove(entry);
    this._pushedOut++;
    this._onPushedOut?.();
  }

  private _remove(entry: Entry): void {
    const { row, seq } = entry;
    this._entries.delete(seq);
    this._byApi[row.api].delete(seq);
    this._unindex(entry);
    const key = idKey(row.api, row.id);
    if (this._byId.get(key) === entry) this._byId.delete(key);
  }

  /** Files the entry under its reference id (in arrival order) and its trace. */
  private _index(entry: Entry): void {
    const { row } = entry;
    if (row.referenceId !== null) {
      const key = idKey(row.api, row.referenceId);
      const list = this._byReference.get(key) ?? [];
      let at = list.length;
      while (at > 0 && list[at - 1].seq > entry.seq) at--;
      list.splice(at, 0, entry);
      this._byReference.set(key, list);
    }
    const traceKey = idKey(row.api, row.traceId);
    const trace = this._byTrace.get(traceKey) ?? new Set<Entry>();
    trace.add(entry);
    this._byTrace.set(traceKey, trace);
  }

  private _unindex(entry: Entry): void {
    const { row } = entry;
    if (row.referenceId !== null) {
      const key = idKey(row.api, row.referenceId);
      const list = this._byReference.get(key);
      const at = list?.indexOf(entry) ?? -1;
      if (list && at !== -1) list.splice(at, 1);
      if (list?.length === 0) this._byReference.delete(key);
    }
    const traceKey = idKey(row.api, row.traceId);
    const trace = this._byTrace.get(traceKey);
    trace?.delete(entry);
    if (trace?.size === 0) this._byTrace.delete(traceKey);
  }

  async replace(row: LogRow): Promise<void> {
    const entry = this._byId.get(idKey(row.api, row.id));
    if (entry) this._setRow(entry, row);
    return Promise.resolve();
  }

  async moveTraces(api: LogApi, moves: ReadonlyMap<string, string>): Promise<void> {
    const moving = [...moves].flatMap(([from, to]) => [...(this._byTrace.get(idKey(api, from)) ?? [])].map((entry) => ({ entry, to })));
    for (const { entry, to } of moving) this._setRow(entry, { ...entry.row, traceId: to });
    return Promise.resolve();
  }

  async memo(table: MemoTable, key: string, candidate: string): Promise<string> {
    const map = this._memos[table];
    const known = map.get(key);
    if (known !== undefined) return known;
    map.set(key, candidate);
    this._undo.push(() => map.delete(key));
    // Remembered for as many as there are logs at most, the oldest forgotten first.
    if (map.size > this._maxLogs) map.delete(map.keys().next().value!);
    return Promise.resolve(candidate);
  }

  async memoOf(table: MemoTable, key: string): Promise<string | undefined> {
    return Promise.resolve(this._memos[table].get(key));
  }

  async file(id: string): Promise<V5File | undefined> {
    const file = this._files.get(id);
    return Promise.resolve(file && { ...file });
  }

  async fileAtPath(path: string): Promise<V5File | undefined> {
    for (const file of this._files.values()) if (file.path === path && path !== '') return Promise.resolve({ ...file });
    return Promise.resolve(undefined);
  }

  async putFile(file: V5File): Promise<void> {
    const before = this._files.get(file.id);
    this._undo.push(() => (before ? this._files.set(file.id, before) : this._files.delete(file.id)));
    this._files.delete(file.id);
    this._files.set(file.id, { ...file });
    if (this._files.size > this._maxLogs) this._files.delete(this._files.keys().next().value!);
    return Promise.resolve();
  }

  async nextCounter(name: string): Promise<number> {
    const next = (this._counters.get(name) ?? 0) + 1;
    this._counters.set(name, next);
    return Promise.resolve(next);
  }

  private _setRow(entry: Entry, row: LogRow): void {
    const before = entry.row;
    this._undo.push(() => this._assign(entry, before));
    this._assign(entry, row);
  }

  /** A stored entry's new row, filed anew (its reference id or trace may have changed); a removed entry stays out. */
  private _assign(entry: Entry, row: LogRow): void {
    const stored = this._entries.get(entry.seq) === entry;
    if (stored) this._unindex(entry);
    entry.row = row;
    if (stored) this._index(entry);
  }

  /** Walks arrival positions from the cursor (gaps are logs gone): a page costs the logs it passes over, not all logs. */
  async page(query: PageQuery): Promise<Array<{ seq: number; row: LogRow }>> {
    // From the API's own oldest log: the other API's logs pushed out before it are no gaps to pass over.
    const stored = query.filter.api === undefined ? this._entries : this._byApi[query.filter.api];
    const first: number = stored.keys().next().value ?? this._seq + 1;
    const after = query.afterSeq;
    const step = query.newestFirst ? -1 : 1;
    let seq = query.newestFirst ? Math.min(this._seq, (after ?? Infinity) - 1) : Math.max(first, (after ?? 0) + 1);
    const found: Entry[] = [];
    for (; seq >= first && seq <= this._seq && found.length < query.limit; seq += step) {
      const entry = this._entries.get(seq);
      if (entry && matches(entry.row, query.filter)) found.push(entry);
    }
    return Promise.resolve(found);
  }

  async traceRows(api: LogApi, traceId: string, limit: number): Promise<LogRow[]> {
    const entries = [...(this._byTrace.get(idKey(api, traceId)) ?? [])].sort((a, b) => a.seq - b.seq);
    return Promise.resolve(entries.slice(0, limit).map(({ row }) => row));
  }

  async totals(filter: LogFilter): Promise<LogTotals> {
    const totals: LogTotals = { logs: 0, errors: 0, promptTokens: 0, outputTokens: 0 };
    for (const { row } of this._entries.values()) {
      if (!matches(row, filter)) continue;
      totals.logs++;
      if (row.error) totals.errors++;
      totals.promptTokens += row.promptTokens ?? 0;
      totals.outputTokens += row.outputTokens ?? 0;
    }
    return Promise.resolve(totals);
  }

  async deleteStoredBefore(storedBefore: number, limit: number): Promise<{ logs: number; bytes: number }> {
    return Promise.resolve(this._delete(limit, (row) => row.storedMs < storedBefore));
  }

  async totalBytes(): Promise<number> {
    let bytes = 0;
    for (const { row } of this._entries.values()) bytes += row.bytes;
    return Promise.resolve(bytes);
  }

  async deleteOldest(limit: number): Promise<{ logs: number; bytes: number }> {
    return Promise.resolve(this._delete(limit, () => true));
  }

  private _delete(limit: number, test: (row: LogRow) => boolean): { logs: number; bytes: number } {
    const deleted = { logs: 0, bytes: 0 };
    for (const entry of this._entries.values()) {
      if (deleted.logs >= limit) break;
      if (!test(entry.row)) continue;
      this._remove(entry);
      deleted.logs++;
      deleted.bytes += entry.row.bytes;
    }
    return deleted;
  }

  async close(): Promise<void> {
    await this._queue;
  }
}

function idKey(api: LogApi, id: string): string {
  return `${api}\0${id}`;
}
