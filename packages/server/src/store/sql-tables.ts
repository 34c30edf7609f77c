/** The tables on a SQL database (SQLite or PostgreSQL): one set of statements, `?` placeholders. */
import { sqlWhere } from './filter.js';
import { NameCache } from './name-cache.js';
import type { LogRow } from './row.js';
import type { SqlConnection, SqlDriver, SqlRow } from './sql-driver.js';
import type { MemoTable, PageQuery, TableWrites, Tables } from './tables.js';
import type { StoredParent } from './trace-links.js';
import type { LogApi, LogFilter, LogTotals, V5File, V5LogType } from './types.js';

const COLUMNS =
  'api, id, reference_id, parent_key, trace_id, kind, path, file_id, project, project_id, session_id, time_ms, stored_ms, has_error, status, prompt_tokens, output_tokens, bytes, request_index, json, version_id';
const ROW_PLACEHOLDERS = `(${COLUMNS.split(',').map(() => '?').join(', ')})`;
/** Rows per INSERT and keys per lookup or move: well under either engine's limit of parameters. */
const ROWS_PER_STATEMENT = 50;
const KEYS_PER_STATEMENT = 400;

class SqlReads {
  constructor(
    protected readonly _db: SqlConnection,
    /** ` FOR UPDATE` inside a PostgreSQL write: the row stays ours until the transaction ends. */
    protected readonly _lock: string,
  ) {}

  async find(api: LogApi, id: string): Promise<LogRow | undefined> {
    return this._one(`SELECT ${COLUMNS} FROM logs WHERE api = ? AND id = ?${this._lock}`, [api, id]);
  }

  async findByReference(referenceId: string): Promise<LogRow | undefined> {
    return this._one(`SELECT ${COLUMNS} FROM logs WHERE reference_id = ? AND api = 'v4' ORDER BY seq DESC LIMIT 1${this._lock}`, [referenceId]);
  }

  async file(id: string): Promise<V5File | undefined> {
    const rows = await this._db.all('SELECT id, type, path, version FROM files WHERE id = ?', [id]);
    return rows[0] && fileOf(rows[0]);
  }

  async fileAtPath(path: string): Promise<V5File | undefined> {
    const rows = await this._db.all("SELECT id, type, path, version FROM files WHERE path = ? AND path <> '' ORDER BY id LIMIT 1", [path]);
    return rows[0] && fileOf(rows[0]);
  }

  async memoOf(table: MemoTable, key: string): Promise<string | undefined> {
    const rows = await this._db.all(`SELECT id FROM ${table} WHERE name = ?`, [key]);
    return typeof rows[0]?.id === 'string' ? rows[0].id : undefined;
  }

  protected async _one(sql: string, params: unknown[]): Promise<LogRow | undefined> {
    const rows = await this._db.all(sql, params);
    return rows[0] && rowOfSql(rows[0]);
  }
}

class SqlWrites extends SqlReads implements TableWrites {
  /** Names whose ids this transaction read or kept: the cache learns them once it commits. */
  readonly learned: Array<{ table: MemoTable; name: string; id: string }> = [];

  constructor(
    db: SqlConnection,
    lock: string,
    private readonly _names: NameCache,
  ) {
    super(db, lock);
  }

  async findByKey(api: LogApi, key: string): Promise<LogRow | undefined> {
    return (await this.find(api, key)) ?? this._one(`SELECT ${COLUMNS} FROM logs WHERE reference_id = ? AND api = ? ORDER BY seq DESC LIMIT 1${this._lock}`, [key, api]);
  }

  async parents(api: LogApi, keys: readonly string[]): Promise<Map<string, StoredParent>> {
    const found = new Map<string, StoredParent>();
    for (const chunk of chunks(keys, KEYS_PER_STATEMENT)) {
      const list = chunk.map(() => '?').join(', ');
      // A key's log by id, and the latest log with that reference id: both, one round trip; in
      // arrival order, so the latest of a reference id is set last. (No OR: each side uses its index.)
      const byId = `SELECT seq FROM logs WHERE api = ? AND id IN (${list})`;
      const latestByReference = `SELECT MAX(seq) FROM logs WHERE api = ? AND reference_id IN (${list}) GROUP BY reference_id`;
      const sql = `SELECT seq, id, reference_id, trace_id FROM logs WHERE seq IN (${byId} UNION ALL ${latestByReference}) ORDER BY seq${this._lock}`;
      const rows = await this._db.all(sql, [api, ...chunk, api, ...chunk]);
      const named = (key: unknown): key is string => typeof key === 'string' && chunk.includes(key);
      for (const row of rows) if (named(row.reference_id)) found.set(row.reference_id, { traceId: String(row.trace_id), byId: false });
      for (const row of rows) if (named(row.id)) found.set(row.id, { traceId: String(row.trace_id), byId: true });
    }
    return found;
  }

  async existing(api: LogApi, ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const chunk of chunks(ids, KEYS_PER_STATEMENT)) {
      const rows = await this._db.all(`SELECT id FROM logs WHERE api = ? AND id IN (${chunk.map(() => '?').join(', ')})`, [api, ...chunk]);
      for (const row of rows) found.add(String(row.id));
    }
    return found;
  }

  async insert(rows: readonly LogRow[], requestIndex: number): Promise<void> {
    for (const chunk of chunks(rows, ROWS_PER_STATEMENT)) {
      const sql = `INSERT INTO logs (${COLUMNS}) VALUES ${chunk.map(() => ROW_PLACEHOLDERS).join(', ')}`;
      await this._db.run(sql, chunk.flatMap((row) => valuesOf(row, requestIndex)));
    }
  }

  async replace(row: LogRow): Promise<void> {
    const sets = 'reference_id = ?, parent_key = ?, trace_id = ?, kind = ?, path = ?, file_id = ?, project = ?, project_id = ?, session_id = ?, time_ms = ?, stored_ms = ?, has_error = ?, status = ?, prompt_tokens = ?, output_tokens = ?, bytes = ?, json = ?, version_id = ?';
    const values = valuesOf(row, 0);
    await this._db.run(`UPDATE logs SET ${sets} WHERE api = ? AND id = ?`, [...values.slice(2, 18), values[19], values[20], row.api, row.id]);
  }

  async moveTraces(api: LogApi, moves: ReadonlyMap<string, string>): Promise<void> {
    for (const chunk of chunks([...moves], KEYS_PER_STATEMENT)) {
      const cases = chunk.map(() => 'WHEN ? THEN ?').join(' ');
      const list = chunk.map(() => '?').join(', ');
      const sql = `UPDATE logs SET trace_id = CASE trace_id ${cases} END WHERE api = ? AND trace_id IN (${list})`;
      await this._db.run(sql, [...chunk.flat(), api, ...chunk.map(([from]) => from)]);
    }
  }

  async memo(table: MemoTable, key: string, candidate: string): Promise<string> {
    const known = this._names.get(table, key) ?? this.learned.find((name) => name.table === table && name.name === key)?.id;
    if (known !== undefined) return known;
    await this._db.run(`INSERT INTO ${table} (name, id) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, [key, candidate]);
    const rows = await this._db.all(`SELECT id FROM ${table} WHERE name = ?`, [key]);
    const id = typeof rows[0]?.id === 'string' ? rows[0].id : candidate;
    this.learned.push({ table, name: key, id });
    return id;
  }

  async putFile(file: V5File): Promise<void> {
    await this._db.run(
      'INSERT INTO files (id, type, path, version) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version, path = excluded.path',
      [file.id, file.type, file.path, file.version],
    );
  }

  async nextCounter(name: string): Promise<number> {
    const rows = await this._db.all(
      'INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value',
      [name],
    );
    return Number(rows[0]?.value);
  }
}

export class SqlTables extends SqlReads implements Tables {
  private readonly _names = new NameCache();

  constructor(private readonly _driver: SqlDriver) {
    super(_driver, '');
  }

  get engine(): string {
    return this._driver.dialect;
  }

  async write<T>(work: (tx: TableWrites) => Promise<T>): Promise<T> {
    const lock = this._driver.dialect === 'postgres' ? ' FOR UPDATE' : '';
    let writes: SqlWrites | undefined;
    const result = await this._driver.transaction((connection) => work((writes = new SqlWrites(connection, lock, this._names))));
    for (const { table, name, id } of writes?.learned ?? []) this._names.set(table, name, id);
    return result;
  }

  async page(query: PageQuery): Promise<Array<{ seq: number; row: LogRow }>> {
    const filter: LogFilter = query.filter;
    const where = sqlWhere(filter, this._like());
    const parts = where.clause === '' ? [] : [where.clause.slice('WHERE '.length)];
    const params = [...where.params];
    if (query.afterSeq !== undefined) {
      parts.push(query.newestFirst ? 'seq < ?' : 'seq > ?');
      params.push(query.afterSeq);
    }
    const clause = parts.length === 0 ? '' : `WHERE ${parts.join(' AND ')}`;
    const sql = `SELECT seq, ${COLUMNS} FROM logs ${clause} ORDER BY seq ${query.newestFirst ? 'DESC' : 'ASC'} LIMIT ?`;
    const rows = await this._db.all(sql, [...params, query.limit]);
    return rows.map((row) => ({ seq: Number(row.seq), row: rowOfSql(row) }));
  }

  async traceRows(api: LogApi, traceId: string, limit: number): Promise<LogRow[]> {
    const rows = await this._db.all(`SELECT ${COLUMNS} FROM logs WHERE trace_id = ? AND api = ? ORDER BY seq LIMIT ?`, [traceId, api, limit]);
    return rows.map(rowOfSql);
  }

  async totals(filter: LogFilter): Promise<LogTotals> {
    const where = sqlWhere(filter, this._like());
    const sql = `SELECT COUNT(*) AS logs, COALESCE(SUM(has_error), 0) AS errors, COALESCE(SUM(prompt_tokens), 0) AS prompt, COALESCE(SUM(output_tokens), 0) AS output FROM logs ${where.clause}`;
    const row = (await this._db.all(sql, where.params))[0] ?? {};
    return { logs: Number(row.logs ?? 0), errors: Number(row.errors ?? 0), promptTokens: Number(row.prompt ?? 0), outputTokens: Number(row.output ?? 0) };
  }

  deleteStoredBefore(storedBefore: number, limit: number): Promise<{ logs: number; bytes: number }> {
    return this._deleteOldest('WHERE stored_ms < ?', [storedBefore], limit);
  }

  async totalBytes(): Promise<number> {
    const rows = await this._db.all('SELECT COALESCE(SUM(bytes), 0) AS bytes FROM logs');
    return Number(rows[0]?.bytes ?? 0);
  }

  deleteOldest(limit: number): Promise<{ logs: number; bytes: number }> {
    return this._deleteOldest('', [], limit);
  }

  /** One short transaction per chunk: writes wait behind one chunk at most. */
  private _deleteOldest(where: string, params: unknown[], limit: number): Promise<{ logs: number; bytes: number }> {
    return this._driver.transaction(async (connection) => {
      const rows = await connection.all(`SELECT seq, bytes FROM logs ${where} ORDER BY seq LIMIT ?`, [...params, limit]);
      if (rows.length === 0) return { logs: 0, bytes: 0 };
      const last = Number(rows[rows.length - 1].seq);
      const deleted = await connection.run(`DELETE FROM logs WHERE seq <= ? ${where === '' ? '' : `AND ${where.slice('WHERE '.length)}`}`, [last, ...params]);
      return { logs: deleted, bytes: rows.reduce((sum, row) => sum + Number(row.bytes), 0) };
    });
  }

  close(): Promise<void> {
    return this._driver.close();
  }

  private _like(): (column: string) => string {
    // SQLite's LIKE ignores ASCII case; PostgreSQL's ILIKE does too.
    return this._driver.dialect === 'postgres' ? (column) => `${column} ILIKE ?` : (column) => `${column} LIKE ?`;
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function valuesOf(row: LogRow, requestIndex: number): unknown[] {
  return [
    row.api, row.id, row.referenceId, row.parentKey, row.traceId, row.kind, row.path, row.fileId, row.project, row.projectId,
    row.sessionId, row.timeMs, row.storedMs, row.error ? 1 : 0, row.status, row.promptTokens, row.outputTokens, row.bytes,
    requestIndex, row.json, row.versionId,
  ];
}

function rowOfSql(sql: SqlRow): LogRow {
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    api: sql.api as LogApi,
    id: String(sql.id),
    referenceId: text(sql.reference_id),
    parentKey: text(sql.parent_key),
    traceId: String(sql.trace_id),
    kind: String(sql.kind),
    path: text(sql.path),
    fileId: text(sql.file_id),
    versionId: text(sql.version_id),
    project: text(sql.project),
    projectId: text(sql.project_id),
    sessionId: text(sql.session_id),
    timeMs: Number(sql.time_ms),
    storedMs: Number(sql.stored_ms),
    error: Number(sql.has_error) === 1,
    status: text(sql.status),
    promptTokens: number(sql.prompt_tokens),
    outputTokens: number(sql.output_tokens),
    bytes: Number(sql.bytes),
    json: String(sql.json),
  };
}

function fileOf(row: SqlRow): V5File {
  return { id: String(row.id), type: row.type as V5LogType, path: String(row.path), version: String(row.version) };
}
