/**
 * SQLite in a file, in WAL mode: Node's own `node:sqlite` where the running Node has it (22.13+,
 * 24), `better-sqlite3` (a native addon, built for Node 20) otherwise. Either is loaded only when a
 * store is opened. A file that is not a SQLite database, or a damaged one, is refused untouched.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { sqliteFault } from './engine-faults.js';
import type { SqlConnection, SqlDriver, SqlRow } from './sql-driver.js';
import { StoreOpenError } from './types.js';

/** What both libraries offer, synchronously. */
interface SyncDatabase {
  exec(sql: string): void;
  prepare(sql: string): { all(...params: unknown[]): unknown[]; run(...params: unknown[]): { changes: number | bigint } };
  close(): void;
}

const SQLITE_HEADER = 'SQLite format 3\0';
/** How long a write waits for another process's (ms). */
const BUSY_TIMEOUT_MS = 5_000;

export function openSqliteDriver(path: string): SqlDriver {
  refuseForeignFile(path);
  let database: SyncDatabase;
  try {
    database = openDatabase(path);
    database.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL`);
  } catch (error) {
    throw new StoreOpenError(`${path} cannot be opened as a log store: ${(error as Error).message}; left untouched`, { cause: error });
  }
  return new SqliteDriver(database, path);
}

/** Which library opens SQLite files in this Node. */
export function sqliteLibrary(): 'node:sqlite' | 'better-sqlite3' {
  return builtinSqlite() ? 'node:sqlite' : 'better-sqlite3';
}

function builtinSqlite(): { DatabaseSync: new (path: string) => SyncDatabase } | undefined {
  return withoutSqliteWarning(() => process.getBuiltinModule?.('node:sqlite') as { DatabaseSync: new (path: string) => SyncDatabase } | undefined);
}

/**
 * Runs `load` without the warning Node 22 prints on stderr the first time `node:sqlite` loads ("an
 * experimental feature"): the server chose it knowingly, and its users would read it as a fault.
 * Every other warning goes on as before.
 */
function withoutSqliteWarning<T>(load: () => T): T {
  const emitWarning = process.emitWarning.bind(process);
  process.emitWarning = (warning: string | Error, ...rest: unknown[]): void => {
    const text = typeof warning === 'string' ? warning : warning.message;
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if ((type === 'ExperimentalWarning' || (warning as Error).name === 'ExperimentalWarning') && text.includes('SQLite')) return;
    Reflect.apply(emitWarning, process, [warning, ...rest]);
  };
  try {
    return load();
  } finally {
    process.emitWarning = emitWarning;
  }
}

function openDatabase(path: string): SyncDatabase {
  const builtin = builtinSqlite();
  if (builtin) return new builtin.DatabaseSync(path);
  const BetterSqlite = createRequire(import.meta.url)('better-sqlite3') as new (path: string) => SyncDatabase;
  return new BetterSqlite(path);
}

/** A file that exists and is not empty must start as a SQLite database does. */
function refuseForeignFile(path: string): void {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return;
  }
  if (size === 0) return;
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_HEADER) throw new StoreOpenError(`${path} is not a SQLite database (not a log store); left untouched`);
}

class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite';
  private _queue: Promise<unknown> = Promise.resolve();
  private readonly _statements = new Map<string, ReturnType<SyncDatabase['prepare']>>();

  constructor(
    private readonly _db: SyncDatabase,
    readonly where: string,
  ) {}

  async all(sql: string, params: readonly unknown[] = []): Promise<SqlRow[]> {
    return Promise.resolve(this._wrap(() => this._statement(sql).all(...params) as SqlRow[]));
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return Promise.resolve(this._wrap(() => Number(this._statement(sql).run(...params).changes)));
  }

  /** One at a time on this connection; BEGIN IMMEDIATE takes the write lock at once (another process waits). */
  transaction<T>(work: (connection: SqlConnection) => Promise<T>): Promise<T> {
    const run = this._queue.then(async () => {
      this._wrap(() => this._db.exec('BEGIN IMMEDIATE'));
      try {
        const result = await work(this);
        this._wrap(() => this._db.exec('COMMIT'));
        return result;
      } catch (error) {
        this._rollback();
        throw error;
      }
    });
    this._queue = run.catch(() => undefined);
    return run;
  }

  /**
   * After some errors (a full disk, a failed write to the file) SQLite has rolled the transaction back
   * itself and a ROLLBACK fails with "no transaction is active": the error that ended it is the one to report.
   */
  private _rollback(): void {
    try {
      this._db.exec('ROLLBACK');
    } catch {
      // Rolled back already.
    }
  }

  async close(): Promise<void> {
    await this._queue;
    this._statements.clear();
    this._db.close();
  }

  private _statement(sql: string): ReturnType<SyncDatabase['prepare']> {
    let statement = this._statements.get(sql);
    if (!statement) {
      statement = this._db.prepare(sql);
      // Statements are few and fixed, but a filter's shape varies: the cache is bounded all the same.
      if (this._statements.size >= 256) this._statements.clear();
      this._statements.set(sql, statement);
    }
    return statement;
  }

  /** A damaged file shows on the first read: named, as an open error. A full one as a StoreFullError. */
  private _wrap<T>(operation: () => T): T {
    try {
      return operation();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const message = (error as Error).message;
      if (/SQLITE_(CORRUPT|NOTADB)/.test(String(code)) || /malformed|not a database/i.test(message)) {
        throw new StoreOpenError(`${this.where} is damaged (${message}); left untouched`, { cause: error });
      }
      throw sqliteFault(error, this.where);
    }
  }
}
