/**
 * PostgreSQL through `pg`'s pool, loaded only when a store is opened on a `postgres://` URL. Several
 * servers may share the database: writes that collide (a deadlock or a serialization failure) are
 * tried again, a few times.
 */
import { createRequire } from 'node:module';
import type pg from 'pg';
import type { SqlConnection, SqlDriver, SqlRow } from './sql-driver.js';

const POOL_SIZE = 10;
const RETRIES = 3;
const RETRYABLE = new Set(['40001', '40P01']);

export function openPostgresDriver(url: string): SqlDriver {
  const { Pool } = createRequire(import.meta.url)('pg') as typeof pg;
  return new PostgresDriver(new Pool({ connectionString: url, max: POOL_SIZE }), redacted(url));
}

/** The URL without its password, for messages. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
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

  async transaction<T>(work: (connection: SqlConnection) => Promise<T>): Promise<T> {
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
}
