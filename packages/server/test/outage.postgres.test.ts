/**
 * PostgreSQL going away and coming back under an open store: the throwaway cluster's server is
 * stopped as `pg_ctl stop -m fast` does and started again on the same data and port.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type LogStore } from '../src/index.js';
import { eventually } from './helpers/engines.js';
import { startPostgresCluster, type PostgresCluster } from './helpers/postgres-cluster.mjs';

let cluster: PostgresCluster;
const open: LogStore[] = [];
beforeAll(async () => {
  cluster = await startPostgresCluster();
}, 60_000);
afterEach(async () => {
  await cluster.startServer();
  await Promise.all(open.splice(0).map((store) => store.close()));
});
afterAll(() => cluster.stop());

async function storeOn(url: string, options: Parameters<typeof openStore>[0] = {}): Promise<LogStore> {
  const store = await openStore({ ...options, db: url, retentionIntervalMillis: Infinity });
  open.push(store);
  return store;
}

describe('a PostgreSQL log store when the server goes away', () => {
  it('fails a write that is under way when the server shuts down, keeps nothing of it, and goes on once the server is back', async () => {
    const url = await cluster.createDatabase();
    const store = await storeOn(url);
    await store.addV4([{ project: 'p' }], 0);
    // Another session holds the logs table: the store's write waits inside its transaction.
    const holder = new pg.Client({ connectionString: url });
    holder.on('error', () => undefined);
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE logs IN ACCESS EXCLUSIVE MODE');
    const write = store.addV4([{ project: 'p', reference_id: 'in-flight' }, { project: 'p' }], 1).then(
      () => new Error('the write succeeded'),
      (error: unknown) => error,
    );
    const waiting = async () => (await holder.query("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")).rowCount === 1;
    await eventually(waiting, "the store's write to wait for the lock");
    await cluster.stopServer();
    expect(await write).toMatchObject({ message: 'terminating connection due to administrator command' });
    await holder.end().catch(() => undefined);
    await cluster.startServer();
    expect(await store.hasReferenceId('in-flight')).toBe(false);
    expect((await store.totals()).logs).toBe(1);
    await store.addV4([{ project: 'p' }], 2);
    expect((await store.totals()).logs).toBe(2);
  });
});
