/**
 * PostgreSQL through `pg`'s pool, loaded only when a store is opened on a `postgres://` URL. Several
 * servers may share the database: writes that collide (a deadlock or a serialization failure) are
 * tried again, a few times. A server that cannot be reached (down, restarting, a connection dropped)
 * fails each call with a StoreUnavailableError, at once or after CONNECT_TIMEOUT_MS for a connection;
 * the pool connects again on the next call, so the store serves again once the server is back.
 */
import { createRequire } from 'node:module';
import type pg from 'pg';
import { postgresFault } from './engine-faults.js';
import type { SqlConnection, SqlDriver, SqlRow } from './sql-driver.js';

const POOL_SIZE = 10;
/** How long a call waits for a connection (a new one, or a free one of the pool's) before it fails. */
const CONNECT_TIMEOUT_MS = 5_000;
const RETRIES = 3;
const RETRYABLE = new Set(['40001', '40P01']);

export function openPostgresDriver(url: string): SqlDriver {
  const { Pool } = createRequire(import.meta.url)('pg') as typeof pg;
  const pool = new Pool({ connectionString: url, max: POOL_SIZE, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true });
  return new PostgresDriver(pool, redacted(url));
}

/** The URL without its password, for messages. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString();
  } catch {
    return 'the PostgreSQL database';
  }
}

/** `?` placeholders as PostgreSQL's `$1`, `$2`... (our statements have no `?` in literals). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

class Connection implements SqlConnection {
  constructor(private readonly _client: pg.Pool | pg.PoolClient) {}

  async all(sql: string, params: readonly unknown[] = []): Promise<SqlRow[]> {
    return (await this._client.query<SqlRow>(numbered(sql), [...params])).rows;
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    return (await this._client.query(numbered(sql), [...params])).rowCount ?? 0;
  }
}

class PostgresDriver extends Connection implements SqlDriver {
  readonly dialect = 'postgres';

  constructor(
    private readonly _pool: pg.Pool,
    readonly where: string,
  ) {
    super(_pool);
    // An idle client's error (the server went away) must not end the process: the next query reports it.
    _pool.on('error', () => undefined);
  }

  override async all(sql: string, params?: readonly unknown[]): Promise<SqlRow[]> {
    return this._faults(() => super.all(sql, params));
  }

  override async run(sql: string, params?: readonly unknown[]): Promise<number> {
    return this._faults(() => super.run(sql, params));
  }

  async transaction<T>(work: (connection: SqlConnection) => Promise<T>): Promise<T> {
    return this._faults(() => this._transaction(work));
  }

  private async _transaction<T>(work: (connection: SqlConnection) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this._pool.connect();
      // A checked-out client has no listener of the pool's: its connection ending (the server shut
      // down) must not end the process either; the query under way fails instead.
      let broken: Error | undefined;
      const onError = (error: Error): void => {
        broken = error;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await work(new Connection(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        if (attempt >= RETRIES || !RETRYABLE.has(String((error as { code?: unknown }).code))) throw error;
      } finally {
        client.off('error', onError);
        // A client whose connection failed is not given back to the pool.
        client.release(broken);
      }
    }
  }

  async close(): Promise<void> {
    await this._pool.end();
  }

  /** The server out of reach, or out of room, as the store's own errors. */
  private async _faults<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw postgresFault(error, this.where);
    }
  }
}
