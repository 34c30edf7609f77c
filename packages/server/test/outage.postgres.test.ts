/**
 * PostgreSQL going away and coming back under an open store: the throwaway cluster's server is
 * stopped as `pg_ctl stop -m fast` does and started again on the same data and port.
 */
import { createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore, StoreOpenError, StoreUnavailableError, type LogStore, type StoredV5Log, type V5Create } from '../src/index.js';
import { eventually } from './helpers/engines.js';
import { startPostgresCluster, type PostgresCluster } from './helpers/postgres-cluster.mjs';

/** A call must have failed by then: a connection is given up after 5 s. */
const BOUND_MS = 10_000;

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

/** A new database's URL with a password in it (trust authentication ignores it): messages must not show it. */
async function databaseUrl(): Promise<string> {
  return (await cluster.createDatabase()).replace('postgres@', 'postgres:s3cret-pw@');
}

async function storeOn(url: string, options: Parameters<typeof openStore>[0] = {}): Promise<LogStore> {
  const store = await openStore({ ...options, db: url, retentionIntervalMillis: Infinity });
  open.push(store);
  return store;
}

function prompt(): V5Create {
  return { type: 'prompt', body: { path: 'demo/chat' }, destination: { newPath: 'demo/chat' }, kernel: { model: 'm' }, logId: undefined, logStatus: undefined };
}

/** The call's error, once it has failed; it must fail within BOUND_MS. */
async function failure(call: () => Promise<unknown>): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${BOUND_MS} ms`)), BOUND_MS);
  });
  try {
    await Promise.race([call(), bound]);
  } catch (error) {
    return error;
  } finally {
    clearTimeout(timer);
  }
  throw new Error('the call succeeded');
}

/** Every method of the store, each once. */
function everyCall(store: LogStore, v4Id: string, v5Id: string): Array<[string, () => Promise<unknown>]> {
  const imported: StoredV5Log = { id: 'log_imported', type: 'prompt', file_id: 'pr_x', version_id: 'prv_x', request_index: -1 };
  return [
    ['addV4', () => store.addV4([{ project: 'p' }], 9)],
    ['updateV4', () => store.updateV4({ id: v4Id }, { output: 'changed' })],
    ['hasReferenceId', () => store.hasReferenceId('ref')],
    ['addV5', () => store.addV5(prompt(), 9)],
    ['updateV5', () => store.updateV5(v5Id, { output: 'changed' })],
    ['importV5', () => store.importV5([imported])],
    ['file', () => store.file('pr_x')],
    ['fileAtPath', () => store.fileAtPath('demo/chat')],
    ['get', () => store.get('v4', v4Id)],
    ['list', () => store.list()],
    ['trace', () => store.trace('v4', v4Id)],
    ['totals', () => store.totals()],
    ['restore', () => store.restore({ api: 'v5', log: imported })],
    ['prune', () => store.prune()],
  ];
}

describe('a PostgreSQL log store when the server goes away', () => {
  it('answers every call with a StoreUnavailableError naming PostgreSQL while it is down, and serves again on the same store once it is back, every acknowledged log kept', async () => {
    // With a retention period, so that prune() has something to ask the database.
    const store = await storeOn(await databaseUrl(), { retainDays: 365 });
    const acknowledged = await store.addV4([{ project: 'p', reference_id: 'ref' }, { project: 'p' }], 0);
    const { log: v5 } = await store.addV5(prompt(), 1);
    await cluster.stopServer();
    for (const [name, call] of everyCall(store, acknowledged[0].id, v5.id)) {
      const error = await failure(call);
      expect(error, name).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message, name).toMatch(/^PostgreSQL at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/test_\d+ cannot be reached/);
      expect((error as Error).message, name).not.toContain('s3cret-pw');
    }
    await cluster.startServer();
    for (const { id } of acknowledged) expect((await store.get('v4', id))?.log.project).toBe('p');
    expect((await store.get('v5', v5.id))?.log.file_id).toBe(v5.file_id);
    await store.addV4([{ project: 'p' }], 2);
    expect((await store.totals()).logs).toBe(4);
  });

  it('fails a write that is under way when the server shuts down with a StoreUnavailableError, keeps nothing of it, and goes on once the server is back', async () => {
    const url = await databaseUrl();
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
    expect(await write).toBeInstanceOf(StoreUnavailableError);
    await holder.end().catch(() => undefined);
    await cluster.startServer();
    expect(await store.hasReferenceId('in-flight')).toBe(false);
    expect((await store.totals()).logs).toBe(1);
    await store.addV4([{ project: 'p' }], 2);
    expect((await store.totals()).logs).toBe(2);
  });
});

/** A loopback port that takes connections and never answers: a host that hangs. */
async function silentServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return { url: `postgres://postgres@127.0.0.1:${port}/logs`, close };
}

describe('a PostgreSQL log store that cannot reach its server at open', () => {
  it('is refused with a StoreUnavailableError when nothing listens there, its message without a password given as a URL parameter', async () => {
    const url = await cluster.createDatabase();
    await cluster.stopServer();
    const opened = openStore({ db: url });
    await expect(opened).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(opened).rejects.toThrow(/^PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:\d+\/test_\d+ cannot be reached: connect ECONNREFUSED/);
    const withPasswordParameter = await failure(() => openStore({ db: `${url}?password=s3cret-pw` }));
    expect((withPasswordParameter as Error).message).toMatch(/\?password=\*\*\* cannot be reached/);
  });

  it('gives up on a server that takes the connection and never answers, with a StoreUnavailableError', async () => {
    const silent = await silentServer();
    try {
      const error = await failure(() => openStore({ db: silent.url }));
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(/cannot be reached: Connection terminated due to connection timeout/);
    } finally {
      await silent.close();
    }
  });

  it('opens all the same when asked to retry, answers StoreUnavailableError until the server is up, then creates its schema and serves', async () => {
    const url = await databaseUrl();
    await cluster.stopServer();
    const store = await storeOn(url, { whenUnreachable: 'retry' });
    expect(await failure(() => store.totals())).toBeInstanceOf(StoreUnavailableError);
    expect(await failure(() => store.addV4([{ project: 'p' }], 0))).toBeInstanceOf(StoreUnavailableError);
    await cluster.startServer();
    const written = await Promise.all([1, 2, 3].map((index) => store.addV4([{ project: 'p', output: `log ${index}` }], index)));
    expect((await store.totals()).logs).toBe(3);
    const another = await storeOn(url);
    expect((await another.get('v4', written[0][0].id))?.log.output).toBe('log 1');
  });

  it('when asked to retry, refuses each call with a StoreOpenError once the server is up if the database is not a log store', async () => {
    const url = await databaseUrl();
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    await other.query('CREATE TABLE notes (text TEXT)');
    await other.end();
    await cluster.stopServer();
    const store = await storeOn(url, { whenUnreachable: 'retry' });
    expect(await failure(() => store.totals())).toBeInstanceOf(StoreUnavailableError);
    await cluster.startServer();
    const refused = await failure(() => store.addV4([{ project: 'p' }], 0));
    expect(refused).toBeInstanceOf(StoreOpenError);
    expect((refused as Error).message).toContain("holds tables that are not a log store's");
  });
});
