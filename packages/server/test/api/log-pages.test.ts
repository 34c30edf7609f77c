/**
 * The server's own reads over its store, on memory and SQLite: `GET /v4/logs` and `GET /v5/logs`
 * page by cursor and filter by query parameters, `GET …/logs/{id}/trace` answers a log's trace,
 * `GET /v4/totals` and `/v5/totals` count logs and errors and sum tokens.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startTestLogServer, type TestLogServer } from '../../src/testing/index.js';
import { KEY } from './client.js';

const dir = mkdtempSync(join(tmpdir(), 'hl-log-pages-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

interface V4Log {
  id: string;
  reference_id?: string;
  project: string;
}

const model = (name: string) => ({ type: 'model', model: name });

describe.each([
  ['memory', () => undefined],
  ['SQLite', () => join(dir, `${Math.random().toString(16).slice(2)}.db`)],
])('reads over the store (%s)', (_engine, dbPath) => {
  let server: TestLogServer;
  afterEach(() => server.close());
  const origin = () => server.url.replace(/\/v[45]$/, '');
  const call = async (method: string, path: string, body?: unknown) =>
    fetch(`${origin()}${path}`, { method, headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = async <T>(path: string): Promise<T> => (await (await call('GET', path)).json()) as T;

  async function v4Logs(): Promise<void> {
    server = await startTestLogServer({ apiKey: KEY, db: dbPath() });
    const logs = [
      { project: 'a', config: model('gpt-4o'), reference_id: 'r1', created_at: '2026-12-01T00:00:00Z', prompt_tokens: 10, output_tokens: 1 },
      { project: 'a', config: { type: 'tool', name: 'search' }, reference_id: 'r2', parent_reference_id: 'r1', created_at: '2026-12-02T00:00:00Z' },
      { project: 'b', config: model('gpt-4o'), reference_id: 'r3', error: 'boom', session_reference_id: 's', created_at: '2026-12-03T00:00:00Z', prompt_tokens: 5, output_tokens: 2 },
      { project: 'b', config: model('claude'), reference_id: 'r4', output: 'Needle in text', created_at: '2026-12-04T00:00:00Z' },
      { project: 'a', config: model('gpt-4o'), reference_id: 'r5', created_at: '2026-12-05T00:00:00Z' },
    ];
    for (const log of logs) expect((await call('POST', '/v4/logs', log)).status).toBe(200);
  }

  const refs = (logs: V4Log[]) => logs.map((log) => log.reference_id);

  it('pages GET /v4/logs by cursor, oldest first or newest first, each log once', async () => {
    await v4Logs();
    const seen: string[] = [];
    let path = '/v4/logs?limit=2';
    for (let pages = 0; pages < 5; pages++) {
      const response = await call('GET', path);
      seen.push(...refs((await response.json()) as V4Log[]).map(String));
      const next = response.headers.get('x-next-cursor');
      if (next === null) break;
      path = `/v4/logs?limit=2&cursor=${encodeURIComponent(next)}`;
    }
    expect(seen).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    const newest = await call('GET', '/v4/logs?limit=2&order=newest');
    expect(refs((await newest.json()) as V4Log[])).toEqual(['r5', 'r4']);
    expect(newest.headers.get('x-next-cursor')).not.toBeNull();
    const all = await call('GET', '/v4/logs');
    expect([refs((await all.json()) as V4Log[]).length, all.headers.get('x-next-cursor')]).toEqual([5, null]);
  });

  it('filters GET /v4/logs by project, kind, session, error, text and time, and refuses a bad cursor, limit or order', async () => {
    await v4Logs();
    const session = (await json<Array<{ session_id: string }>>('/v4/logs?project=b'))[0].session_id;
    const cases: Array<[string, string[]]> = [
      ['project=b', ['r3', 'r4']],
      ['kind=tool', ['r2']],
      [`session_id=${session}`, ['r3']],
      ['error=true', ['r3']],
      ['error=false&project=a', ['r1', 'r2', 'r5']],
      ['text=needle', ['r4']],
      ['since=2026-12-02T00:00:00Z&until=2026-12-04T00:00:00Z', ['r2', 'r3']],
      [`since=${Date.parse('2026-12-05T00:00:00Z')}`, ['r5']],
    ];
    for (const [query, expected] of cases) expect(refs(await json<V4Log[]>(`/v4/logs?${query}`)), query).toEqual(expected);
    for (const query of ['cursor=nonsense', 'limit=0', 'limit=1001', 'order=sideways', 'error=maybe', 'since=yesterday']) {
      expect((await call('GET', `/v4/logs?${query}`)).status, query).toBe(422);
    }
  });

  it('answers a v4 log\'s trace from its root, and counts logs, errors and tokens under a filter', async () => {
    await v4Logs();
    const [child] = await json<V4Log[]>('/v4/logs?kind=tool');
    const trace = await json<{ roots: Array<{ log: V4Log; children: Array<{ log: V4Log }> }>; count: number; truncated: boolean }>(`/v4/logs/${child.id}/trace`);
    expect([trace.count, trace.truncated, trace.roots[0].log.reference_id, trace.roots[0].children.map(({ log }) => log.reference_id)]).toEqual([2, false, 'r1', ['r2']]);
    expect(trace.roots[0].log).not.toHaveProperty('request_index');
    expect((await call('GET', '/v4/logs/data_missing/trace')).status).toBe(404);
    expect(await json('/v4/totals')).toEqual({ logs: 5, errors: 1, prompt_tokens: 15, output_tokens: 3 });
    expect(await json('/v4/totals?project=a')).toEqual({ logs: 3, errors: 0, prompt_tokens: 10, output_tokens: 1 });
  });

  it('pages GET /v5/logs by next_cursor as well as by page, filters by kind and path, and answers a v5 trace and totals', async () => {
    server = await startTestLogServer({ apiKey: KEY, db: dbPath() });
    const flow = (await (await call('POST', '/v5/flows/log', { path: 'f', flow: { attributes: {} }, log_status: 'incomplete' })).json()) as { id: string };
    const ids = [flow.id];
    for (let i = 0; i < 4; i++) {
      const answer = (await (await call('POST', '/v5/prompts/log', { path: 'p', prompt: { model: 'gpt-4o' }, trace_parent_id: flow.id, output: `answer ${i}` })).json()) as { id: string };
      ids.push(answer.id);
    }
    type List = { records: Array<{ id: string }>; page: number; size: number; total: number; next_cursor?: string };
    const seen: string[] = [];
    let list = await json<List>('/v5/logs?size=2');
    for (let pages = 0; pages < 5; pages++) {
      seen.push(...list.records.map((log) => log.id));
      expect(list.total).toBe(5);
      if (list.next_cursor === undefined) break;
      list = await json<List>(`/v5/logs?size=2&cursor=${encodeURIComponent(list.next_cursor)}`);
    }
    expect(seen).toEqual(ids);
    expect((await json<List>('/v5/logs?size=2&page=2')).records.map((log) => log.id)).toEqual(ids.slice(2, 4));
    const prompts = await json<List>('/v5/logs?kind=prompt&path=p&size=10');
    expect([prompts.total, prompts.records.length, prompts.next_cursor]).toEqual([4, 4, undefined]);
    expect((await call('GET', '/v5/logs?cursor=nonsense')).status).toBe(422);
    const trace = await json<{ roots: Array<{ log: { id: string }; children: unknown[] }>; count: number }>(`/v5/logs/${ids[3]}/trace`);
    expect([trace.count, trace.roots[0].log.id, trace.roots[0].children.length]).toEqual([5, flow.id, 4]);
    expect(await json('/v5/totals?kind=prompt')).toEqual({ logs: 4, errors: 0, prompt_tokens: 0, output_tokens: 0 });
  });
});
