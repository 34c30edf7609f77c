/**
 * What an engine provides: rows, memos, files and counters, read and written in transactions.
 * The storage logic (log-storage.ts) is written once on top of it.
 */
import type { LogRow } from './row.js';
import type { StoredParent } from './trace-links.js';
import type { LogApi, LogFilter, LogTotals, V5File } from './types.js';

/** Ids kept by name: projects and sessions by name, and the log each judgment (by its id) is kept on. */
export type MemoTable = 'projects' | 'sessions' | 'judgments';

/** Reads, in or out of a transaction. */
export interface TableReads {
  find(api: LogApi, id: string): Promise<LogRow | undefined>;
  /** The latest v4 log with that reference id. */
  findByReference(referenceId: string): Promise<LogRow | undefined>;
  file(id: string): Promise<V5File | undefined>;
  fileAtPath(path: string): Promise<V5File | undefined>;
  /** The id kept for `key`, if any. */
  memoOf(table: MemoTable, key: string): Promise<string | undefined>;
}

/** Writes: only inside `write()`, which runs them all or none. */
export interface TableWrites extends TableReads {
  /** The latest log this key names (an id, or a v4 reference id), locked for update where the engine can. */
  findByKey(api: LogApi, key: string): Promise<LogRow | undefined>;
  /** For each key that names a stored log (by id, else the latest by reference id): its trace, locked where the engine can. */
  parents(api: LogApi, keys: readonly string[]): Promise<Map<string, StoredParent>>;
  /** Which of these ids name a stored log of that api. */
  existing(api: LogApi, ids: readonly string[]): Promise<Set<string>>;
  /** Stores new rows, in this order. */
  insert(rows: readonly LogRow[], requestIndex: number): Promise<void>;
  /** Replaces the row of that api and id, keeping its place in arrival order. */
  replace(row: LogRow): Promise<void>;
  /** Moves logs whose trace id is a key of `moves` to the trace it maps to. */
  moveTraces(api: LogApi, moves: ReadonlyMap<string, string>): Promise<void>;
  /** The id kept for `key`, storing `candidate` when there is none. */
  memo(table: MemoTable, key: string, candidate: string): Promise<string>;
  putFile(file: V5File): Promise<void>;
  /** The next value of a named counter (1, 2, ...), never handed out twice. */
  nextCounter(name: string): Promise<number>;
}

export interface PageQuery {
  filter: LogFilter;
  newestFirst: boolean;
  /** Arrival position to continue after (exclusive). */
  afterSeq: number | undefined;
  limit: number;
}

export interface Tables extends TableReads {
  readonly engine: string;
  write<T>(work: (tx: TableWrites) => Promise<T>): Promise<T>;
  /** Rows in arrival order with their position, `limit` at most. */
  page(query: PageQuery): Promise<Array<{ seq: number; row: LogRow }>>;
  traceRows(api: LogApi, traceId: string, limit: number): Promise<LogRow[]>;
  totals(filter: LogFilter): Promise<LogTotals>;
  /** Deletes up to `limit` of the oldest logs stored before `storedBefore`; how many and their bytes. */
  deleteStoredBefore(storedBefore: number, limit: number): Promise<{ logs: number; bytes: number }>;
  /** The bytes of all logs. */
  totalBytes(): Promise<number>;
  /** Deletes up to `limit` of the oldest logs; how many and their bytes. */
  deleteOldest(limit: number): Promise<{ logs: number; bytes: number }>;
  close(): Promise<void>;
}
