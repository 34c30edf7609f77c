/**
 * A store that cannot be reached or is full: the server answers 503 with `Retry-After: 5` or 507,
 * and nothing of the request is stored (the exporter keeps the logs and sends them again). The
 * memory store's injected faults, and a real PostgreSQL outage (its server stopped and started).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openMemoryStore, StoreFullError, StoreUnavailableError } from '../../src/index.js';
import { startTestLogServer, type TestLogServer } from '../../src/testing/index.js';
import { eventually } from '../helpers/engines.js';
import { serverBinaries, startPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.mjs';
import { KEY } from './client.js';

const model = { type: 'model', model: 'gpt-4o' };

async function call(server: TestLogServer, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${server.url.replace(/\/v[45]$/, '')}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('a store that fails a write', () => {
  it('answers 507 when the store is full and 503 with Retry-After: 5 when it cannot be reached, storing nothing of the request', async () => {
    const { store, tables } = openMemoryStore();
    const server = await startTestLogServer({ apiKey: KEY, store });
    const closed = vi.spyOn(store, 'close');
    try {
      tables.failNextWrite(new StoreFullError('no room (injected)'));
      const full = await call(server, 'POST', '/v4/logs', [{ project: 'p', config: model, reference_id: 'a' }, { project: 'p', config: model }]);
      expect([full.status, await full.json()]).toEqual([507, { detail: 'the log store is full: nothing of the request was stored' }]);
      tables.failNextWrite(new StoreUnavailableError('unreachable (injected)'));
      const down = await call(server, 'POST', '/v5/prompts/log', { path: 'p', prompt: { model: 'gpt-4o' } });
      expect([down.status, down.headers.get('retry-after'), await down.json()]).toEqual([503, '5', { detail: 'the log store cannot be reached now: try again later' }]);
      expect((await store.totals()).logs).toBe(0);
      expect((await call(server, 'POST', '/v4/logs', { project: 'p', config: model, reference_id: 'a' })).status).toBe(200);
      expect((await store.totals()).logs).toBe(1);
    } finally {
      await server.close();
    }
    // A store the server was given is the caller's to close.
    expect(closed).not.toHaveBeenCalled();
    await store.close();
  });
});

describe.skipIf(serverBinaries() === undefined)('a server on PostgreSQL while PostgreSQL is down', () => {
  let cluster: PostgresCluster;
  let server: TestLogServer;
  beforeAll(async () => {
    cluster = await startPostgresCluster();
    server = await startTestLogServer({ apiKey: KEY, db: await cluster.createDatabase() });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await cluster?.stop();
  });

  it('answers reads and writes 503 with Retry-After: 5, and serves again once PostgreSQL is back', async () => {
    expect((await call(server, 'POST', '/v4/logs', { project: 'p', config: model, reference_id: 'before' })).status).toBe(200);
    await cluster.stopServer();
    for (const [method, path, body] of [
      ['GET', '/v4/logs', undefined],
      ['GET', '/v5/logs', undefined],
      ['POST', '/v4/logs', { project: 'p', config: model, reference_id: 'during' }],
      ['PATCH', '/v4/logs?reference_id=before', { output: 'x' }],
    ] as const) {
      const answer = await call(server, method, path, body);
      expect([answer.status, answer.headers.get('retry-after')], `${method} ${path}`).toEqual([503, '5']);
    }
    await cluster.startServer();
    await eventually(async () => (await call(server, 'GET', '/v4/logs')).status === 200, 'the server to serve again', 15_000);
    const logs = (await (await call(server, 'GET', '/v4/logs')).json()) as Array<{ reference_id: string }>;
    expect(logs.map((log) => log.reference_id)).toEqual(['before']);
  }, 60_000);
});
