import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestLogServer, type StoredV5Log, type TestLogServer } from '../../src/testing/index.js';
import { KEY, log, type Detail } from './client.js';

let server: TestLogServer;

beforeEach(async () => {
  server = await startTestLogServer({ apiKey: KEY, api: 'v5' });
});

afterEach(() => server.close());

type Answer = Record<string, string>;

function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(2_000),
  });
}

/** Sends, expects `status`, and returns the parsed answer. */
async function expectStatus(status: number, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await call(method, path, body);
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${await response.text()}`);
  return response.json();
}

const created = (path: string, body: unknown) => expectStatus(200, 'POST', path, body) as Promise<Answer>;
const refused = async (method: string, path: string, body: unknown) =>
  ((await expectStatus(422, method, path, body)) as { detail: Detail[] }).detail;
const locs = (detail: Detail[]) => detail.map((d) => d.loc);

const prompt = (extra: Record<string, unknown> = {}) => ({ path: 'qa/answer', prompt: { model: 'gpt-4o' }, ...extra });
const tool = (extra: Record<string, unknown> = {}) => ({
  path: 'qa/search',
  tool: { function: { name: 'search', description: '' } },
  ...extra,
});
const flow = (extra: Record<string, unknown> = {}) => ({ path: 'qa/flow', flow: { attributes: {} }, ...extra });
const agent = (extra: Record<string, unknown> = {}) => ({ path: 'qa/agent', agent: { model: 'gpt-4o' }, ...extra });

describe('creating logs', () => {
  it('answers each endpoint with the log, file and version ids (and a status for flows and agents)', async () => {
    expect(await created('/prompts/log', prompt({ messages: [{ role: 'user', content: 'hi' }] }))).toEqual({
      id: expect.stringMatching(/^log_/),
      prompt_id: expect.stringMatching(/^pr_/),
      version_id: expect.stringMatching(/^prv_/),
    });
    expect(await created('/tools/log', tool({ output: '3 hits' }))).toEqual({
      id: expect.stringMatching(/^log_/),
      tool_id: expect.stringMatching(/^tl_/),
      version_id: expect.stringMatching(/^tlv_/),
    });
    expect(await created('/flows/log', flow({ log_status: 'incomplete' }))).toEqual({
      id: expect.stringMatching(/^log_/),
      flow_id: expect.stringMatching(/^fl_/),
      version_id: expect.stringMatching(/^flv_/),
      log_status: 'incomplete',
    });
    expect(await created('/agents/log', agent())).toEqual({
      id: expect.stringMatching(/^log_/),
      agent_id: expect.stringMatching(/^ag_/),
      version_id: expect.stringMatching(/^agv_/),
      log_status: 'incomplete',
    });
  });

  it('stores the body as sent with the ids, type, creation time and request index; null fields are accepted', async () => {
    const sent = prompt({ output: null, prompt_tokens: 3, start_time: '2025-05-01T10:00:00Z' });
    const before = new Date().toISOString();
    const answer = await created('/prompts/log', sent);
    const stored: StoredV5Log[] = server.v5Logs();
    const ids = { id: answer.id, type: 'prompt', file_id: answer.prompt_id, version_id: answer.version_id };
    expect(stored).toEqual([{ ...sent, ...ids, created_at: expect.any(String), request_index: 0 }]);
    const createdAt = String(stored[0]?.created_at);
    expect(createdAt >= before && createdAt <= new Date().toISOString(), `creation time ${createdAt}`).toBe(true);
    await created('/prompts/log', prompt({ created_at: '2025-05-01T09:00:00Z' }));
    expect(server.v5Logs()[1]?.created_at, 'as the client gave it').toBe('2025-05-01T09:00:00Z');
    expect(server.logs()).toEqual([]);
    expect(server.logCount()).toBe(2);
  });

  it('keeps a file per path and a version per kernel; a known path or id needs no kernel', async () => {
    const first = await created('/prompts/log', prompt({ prompt: { temperature: null, model: 'gpt-4o' } }));
    const same = await created('/prompts/log', prompt());
    const byId = await created('/prompts/log', { id: first.prompt_id });
    const changed = await created('/prompts/log', prompt({ prompt: { model: 'gpt-4o-mini' } }));
    expect(new Set([first, same, byId].map((a) => `${a.prompt_id} ${a.version_id}`)).size).toBe(1);
    expect([changed.prompt_id, changed.version_id === first.version_id]).toEqual([first.prompt_id, false]);
    expect((await created('/prompts/log', prompt({ path: 'other' }))).prompt_id).not.toBe(first.prompt_id);
  });

  it('defaults a flow log to complete when log_status is left out or null', async () => {
    expect((await created('/flows/log', flow())).log_status).toBe('complete');
    expect((await created('/flows/log', flow({ log_status: null }))).log_status).toBe('complete');
  });
});

describe('refused creates', () => {
  it('refuses an unknown top-level field on a strict body, naming it, but not on the lenient agent body', async () => {
    const detail = await refused('POST', '/prompts/log', prompt({ log_status: 'complete', reference_id: 'r' }));
    expect(detail).toEqual([
      { loc: ['body', 'log_status'], msg: 'extra fields not permitted', type: 'value_error.extra' },
      { loc: ['body', 'reference_id'], msg: 'extra fields not permitted', type: 'value_error.extra' },
    ]);
    expect(locs(await refused('POST', '/tools/log', tool({ duration: 1 })))).toEqual([['body', 'duration']]);
    expect(locs(await refused('POST', '/flows/log', flow({ trace_status: 'complete' })))).toEqual([['body', 'trace_status']]);
    await created('/agents/log', agent({ custom: 1 }));
    expect(server.v5Logs()).toHaveLength(1);
  });

  it('refuses wrong types inside the body, and an array', async () => {
    const bad = prompt({ prompt_tokens: 1.5, messages: [{ role: 'robot' }], start_time: 'yesterday', prompt: {} });
    expect(locs(await refused('POST', '/prompts/log', bad))).toEqual([
      ['body', 'prompt_tokens'],
      ['body', 'messages', 0, 'role'],
      ['body', 'prompt', 'model'],
      ['body', 'start_time'],
    ]);
    expect(await refused('POST', '/prompts/log', [prompt()])).toEqual([
      { loc: ['body'], msg: 'must be an object', type: 'type_error.dict' },
    ]);
  });

  it('refuses a log with neither path nor id, and a new path without its kernel', async () => {
    expect(locs(await refused('POST', '/prompts/log', { output: 'x' }))).toEqual([['body', 'path']]);
    expect(await refused('POST', '/prompts/log', { path: 'new/prompt' })).toEqual([
      { loc: ['body', 'prompt'], msg: 'a new prompt path needs its prompt', type: 'value_error.missing' },
    ]);
    expect(locs(await refused('POST', '/flows/log', { path: 'new/flow', flow: null }))).toEqual([['body', 'flow']]);
    expect(locs(await refused('POST', '/agents/log', { path: 'new/agent', agent: {} }))).toEqual([['body', 'agent', 'model']]);
  });

  it('keeps a path to one file type, and an id to a known file of the type', async () => {
    const first = await created('/prompts/log', prompt());
    expect(await refused('POST', '/tools/log', tool({ path: 'qa/answer' }))).toEqual([
      { loc: ['body', 'path'], msg: 'is the path of a prompt: a path holds one file type', type: 'value_error.file_type' },
    ]);
    expect(locs(await refused('POST', '/tools/log', { id: first.prompt_id }))).toEqual([['body', 'id']]);
    expect(locs(await refused('POST', '/prompts/log', { id: 'pr_unknown' }))).toEqual([['body', 'id']]);
    expect(locs(await refused('POST', '/prompts/log', { id: first.prompt_id, path: 'elsewhere' }))).toEqual([['body', 'path']]);
  });

  it('takes a client log_id as the id, once', async () => {
    expect((await created('/flows/log', flow({ log_id: 'run-1', log_status: 'incomplete' }))).id).toBe('run-1');
    expect(await refused('POST', '/prompts/log', prompt({ log_id: 'run-1' }))).toEqual([
      { loc: ['body', 'log_id'], msg: 'a log with this id exists', type: 'value_error.log_id_taken' },
    ]);
    expect((await created('/prompts/log', prompt({ trace_parent_id: 'run-1' }))).id).toMatch(/^log_/);
  });
});

describe('traces', () => {
  it('refuses a trace_parent_id that names no log', async () => {
    expect(await refused('POST', '/prompts/log', prompt({ trace_parent_id: 'log_nope' }))).toEqual([
      { loc: ['body', 'trace_parent_id'], msg: 'names no stored log', type: 'value_error.parent_unknown' },
    ]);
  });

  it('adds children to an incomplete flow, and none to a complete one or below it', async () => {
    const open = await created('/flows/log', flow({ log_status: 'incomplete' }));
    const child = await created('/prompts/log', prompt({ trace_parent_id: open.id }));
    const closed = await created('/flows/log', flow({ log_status: 'complete' }));
    const detail = await refused('POST', '/tools/log', tool({ trace_parent_id: closed.id }));
    expect(detail).toEqual([expect.objectContaining({ loc: ['body', 'trace_parent_id'], type: 'value_error.parent_complete' })]);
    expect(detail[0]?.msg).toContain('no more logs can be added to a completed log');
    await expectStatus(200, 'PATCH', `/flows/logs/${open.id}`, { log_status: 'complete', output: 'done' });
    expect(locs(await refused('POST', '/tools/log', tool({ trace_parent_id: child.id })))).toEqual([['body', 'trace_parent_id']]);
  });

  it('completes a flow by PATCH, once, and answers the flow log with its flow version', async () => {
    const open = await created('/flows/log', flow({ log_status: 'incomplete', inputs: { q: 'x' } }));
    const done = await expectStatus(200, 'PATCH', `/flows/logs/${open.id}`, { log_status: 'complete', output: 'a' });
    const times = { created_at: expect.any(String), updated_at: expect.any(String), last_used_at: expect.any(String) };
    const version = { id: open.flow_id, path: 'qa/flow', name: 'flow', type: 'flow', version_id: open.version_id, attributes: {}, ...times };
    expect(done).toEqual({
      id: open.id,
      inputs: { q: 'x' },
      log_status: 'complete',
      output: 'a',
      created_at: expect.any(String),
      end_time: expect.any(String),
      evaluator_logs: [],
      trace_id: open.id,
      trace_flow_id: open.flow_id,
      flow: { ...version, version_logs_count: 1, total_logs_count: 1 },
    });
    expect(server.v5Logs()[0]).toMatchObject({ log_status: 'complete', output: 'a' });
    for (const again of [{ log_status: 'complete' }, { log_status: 'incomplete' }, { output: 'b' }]) {
      expect(await refused('PATCH', `/flows/logs/${open.id}`, again)).toEqual([
        expect.objectContaining({ loc: ['body', 'log_status'], msg: expect.stringContaining('the log is complete') }),
      ]);
    }
  });

  // Flow and agent update bodies have no end_time: Humanloop stamps it when the log is completed,
  // and moves a flow's end later for a child that ends later.
  it('stamps a flow its end when completed, and moves it later for a child that ends later', async () => {
    const before = new Date().toISOString();
    const open = await created('/flows/log', flow({ log_status: 'incomplete', start_time: '2026-01-01T10:00:00.000Z' }));
    await created('/prompts/log', prompt({ trace_parent_id: open.id, end_time: '2026-01-01T10:00:02.000Z' }));
    expect(server.v5Logs()[0]?.end_time).toBe('2026-01-01T10:00:02.000Z');
    await created('/tools/log', tool({ trace_parent_id: open.id, end_time: '2026-01-01T10:00:01.000Z' }));
    expect(server.v5Logs()[0]?.end_time, 'an earlier child end').toBe('2026-01-01T10:00:02.000Z');
    await expectStatus(200, 'PATCH', `/flows/logs/${open.id}`, { log_status: 'complete', output: 'done' });
    const stamped = String(server.v5Logs()[0]?.end_time);
    expect(stamped >= before && stamped <= new Date().toISOString(), `completion time ${stamped}`).toBe(true);
  });

  it('completes an agent log by PATCH with its file id', async () => {
    const open = await created('/agents/log', agent());
    const done = await expectStatus(200, 'PATCH', `/agents/${open.agent_id}/log/${open.id}`, { log_status: 'complete' });
    expect(done).toMatchObject({ id: open.id, log_status: 'complete', evaluator_logs: [], trace_id: open.id });
    expect(done).toMatchObject({ agent: { id: open.agent_id, path: 'qa/agent', version_id: open.version_id, model: 'gpt-4o', inputs: [] } });
    expect(locs(await refused('PATCH', `/agents/${open.agent_id}/log/${open.id}`, { output: 'late' }))).toEqual([['body', 'log_status']]);
  });
});

describe('updating prompt and tool logs', () => {
  it('applies a PATCH at the file id from the create answer, and 404s a wrong file or log', async () => {
    const p = await created('/prompts/log', prompt());
    const updated = await expectStatus(200, 'PATCH', `/prompts/${p.prompt_id}/log/${p.id}`, { output: 'hi', output_tokens: 2 });
    expect(updated).toMatchObject({ id: p.id, output: 'hi', output_tokens: 2, prompt: { id: p.prompt_id, path: 'qa/answer', model: 'gpt-4o' } });
    expect(updated).not.toHaveProperty('path');
    const t = await created('/tools/log', tool());
    await expectStatus(200, 'PATCH', `/tools/${t.tool_id}/log/${t.id}`, { output: 'found' });
    expect(server.v5Logs().map((l) => l.output)).toEqual(['hi', 'found']);
    await expectStatus(404, 'PATCH', `/prompts/${t.tool_id}/log/${p.id}`, { output: 'x' });
    await expectStatus(404, 'PATCH', `/tools/${t.tool_id}/log/${p.id}`, { output: 'x' });
    await expectStatus(404, 'PATCH', `/prompts/${p.prompt_id}/log/log_nope`, { output: 'x' });
    await expectStatus(404, 'PATCH', `/flows/logs/${p.id}`, { output: 'x' });
  });

  it('checks the update body, and ignores fields the update does not declare', async () => {
    const p = await created('/prompts/log', prompt());
    expect(locs(await refused('PATCH', `/prompts/${p.prompt_id}/log/${p.id}`, { prompt_tokens: 'many' }))).toEqual([
      ['body', 'prompt_tokens'],
    ]);
    await expectStatus(200, 'PATCH', `/prompts/${p.prompt_id}/log/${p.id}`, { path: 'moved', file_id: 'x', output: 'o' });
    expect(server.v5Logs()[0]).toMatchObject({ path: 'qa/answer', file_id: p.prompt_id, output: 'o' });
  });
});

describe('reading logs', () => {
  type Page = { records: Array<Record<string, unknown>>; page: number; size: number; total: number };
  const list = (query = '') => expectStatus(200, 'GET', `/logs${query}`) as Promise<Page>;

  it('lists v5 logs in arrival order, a page at a time, and reads one by id, as the API answers logs', async () => {
    const a = await created('/prompts/log', prompt());
    const b = await created('/tools/log', tool());
    const c = await created('/prompts/log', prompt({ output: 'third' }));
    const all = await list();
    expect([all.page, all.size, all.total, all.records.map((l) => l.id)]).toEqual([1, 10, 3, [a.id, b.id, c.id]]);
    expect(all.records[0]).toMatchObject({ id: a.id, evaluator_logs: [], prompt: { id: a.prompt_id, version_id: a.version_id } });
    expect(all.records[0]).not.toHaveProperty('request_index');
    expect((await list('?size=2&page=2')).records.map((l) => l.id)).toEqual([c.id]);
    expect(await list('?size=2&page=3')).toEqual({ records: [], page: 3, size: 2, total: 3 });
    expect(await expectStatus(200, 'GET', `/logs/${b.id}`)).toMatchObject({ id: b.id, tool: { id: b.tool_id, type: 'tool' } });
    await expectStatus(404, 'GET', '/logs/log_nope');
  });

  it('filters the list by file, version, ids, text, metadata and creation time', async () => {
    const a = await created('/prompts/log', prompt({ output: 'Paris', metadata: { team: 'Geo' }, created_at: '2026-01-01T10:00:00Z' }));
    const b = await created('/prompts/log', prompt({ prompt: { model: 'gpt-4o-mini' }, inputs: { city: 'Lyon' }, created_at: '2026-01-02T10:00:00Z' }));
    const t = await created('/tools/log', tool({ output: 'paris hits' }));
    const ids = async (query: string) => (await list(query)).records.map((l) => l.id);
    expect(await ids(`?file_id=${a.prompt_id}`)).toEqual([a.id, b.id]);
    expect(await ids(`?version_id=${b.version_id}`)).toEqual([b.id]);
    expect(await ids(`?id=${t.id}&id=${a.id}`)).toEqual([a.id, t.id]);
    expect(await ids('?search=PARIS')).toEqual([a.id, t.id]);
    expect(await ids('?search=lyon')).toEqual([b.id]);
    expect(await ids('?metadata_search=geo')).toEqual([a.id]);
    expect(await ids(`?file_id=${a.prompt_id}&start_date=2026-01-02T00:00:00Z`)).toEqual([b.id]);
    expect(await ids(`?file_id=${a.prompt_id}&end_date=2026-01-01T12:00:00Z`)).toEqual([a.id]);
    expect((await list(`?file_id=${a.prompt_id}&size=1`)).total).toBe(2);
  });

  it('nests trace children in a read, and in a list only when asked', async () => {
    const open = await created('/flows/log', flow({ log_status: 'incomplete' }));
    const child = await created('/prompts/log', prompt({ trace_parent_id: open.id }));
    const read = (await expectStatus(200, 'GET', `/logs/${open.id}`)) as Record<string, unknown>;
    expect(read.trace_children).toEqual([expect.objectContaining({ id: child.id, trace_parent_id: open.id, trace_id: open.id, trace_children: [] })]);
    const [listed] = (await list(`?id=${open.id}`)).records;
    expect(listed).not.toHaveProperty('trace_children');
    const [nested] = (await list(`?id=${open.id}&include_trace_children=true`)).records;
    expect(nested?.trace_children).toEqual([expect.objectContaining({ id: child.id })]);
  });

  it('refuses a bad page, size, date or boolean in the query, naming each', async () => {
    const response = await call('GET', '/logs?page=0&size=x&start_date=soon&include_trace_children=maybe');
    expect(response.status).toBe(422);
    expect(locs(((await response.json()) as { detail: Detail[] }).detail)).toEqual([
      ['query', 'start_date'],
      ['query', 'page'],
      ['query', 'size'],
      ['query', 'include_trace_children'],
    ]);
  });
});

describe('the server around the v5 API', () => {
  it('serves v4 beside v5 and keeps their logs apart; clear() forgets both', async () => {
    expect(server.url).toMatch(/\/v5$/);
    const v4 = await fetch(`${server.url.replace(/\/v5$/, '/v4')}/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify(log()),
    });
    expect(v4.status).toBe(200);
    await created('/prompts/log', prompt());
    expect([server.logs().length, server.v5Logs().length, server.logCount()]).toEqual([1, 1, 2]);
    server.clear();
    expect(server.logCount()).toBe(0);
    expect(locs(await refused('POST', '/prompts/log', { id: 'pr_1' }))).toEqual([['body', 'id']]);
  });

  it('requires the API key (reads from loopback need none), and answers 404 and 405 off the routes', async () => {
    expect((await call('POST', '/prompts/log', prompt(), { 'x-api-key': 'wrong' })).status).toBe(401);
    expect((await call('POST', '/prompts/log', prompt(), { 'x-api-key': '' })).status).toBe(401);
    expect((await call('GET', '/logs', undefined, { 'x-api-key': 'wrong' })).status).toBe(401);
    expect((await call('GET', '/logs', undefined, { 'x-api-key': '' })).status).toBe(200);
    expect(server.v5Logs()).toEqual([]);
    for (const path of ['/evaluators/x/log', '/prompts/x/log', '/flows/fl_1/log/log_1', '/logs/a/b', '/']) {
      expect((await call('POST', path, {})).status).toBe(404);
    }
    expect((await call('GET', '/prompts/log')).status).toBe(405);
    expect((await call('POST', '/flows/logs/log_1', {})).status).toBe(405);
  });

  it('plays injected faults on v5 routes, before validation, and records the requests', async () => {
    server.inject({ status: 503 });
    expect((await call('POST', '/prompts/log', { not: 'valid' })).status).toBe(503);
    server.inject({ drop: 'reset' });
    await expect(call('POST', '/prompts/log', prompt())).rejects.toThrow();
    await created('/prompts/log', prompt());
    expect(server.requests().map((r) => [r.path, r.status, r.fault])).toEqual([
      ['/v5/prompts/log', 503, 'status:503'],
      ['/v5/prompts/log', undefined, 'drop:reset'],
      ['/v5/prompts/log', 200, undefined],
    ]);
    expect(server.v5Logs()).toHaveLength(1);
  });

  it('tells onV5Log of each stored v5 log, ignoring what it throws', async () => {
    const seen: string[] = [];
    const listened = await startTestLogServer({
      api: 'v5',
      onV5Log: (stored) => {
        seen.push(`${stored.type} ${stored.id}`);
        throw new Error('listener failure');
      },
    });
    try {
      const response = await fetch(`${listened.url}/flows/log`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'any' },
        body: JSON.stringify(flow()),
      });
      expect(seen).toEqual([`flow ${((await response.json()) as Answer).id}`]);
    } finally {
      await listened.close();
    }
  });

  it('counts the logs it keeps: a pushed-out log leaves its file\'s counts, and a file with none left is forgotten', async () => {
    const small = await startTestLogServer({ api: 'v5', maxLogs: 2, onWarning: () => undefined });
    try {
      const post = async (body: unknown) => (await (await fetch(`${small.url}/prompts/log`, { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as Answer;
      const gone = await post({ path: 'qa/gone', prompt: { model: 'gpt-4o' } });
      const a = await post(prompt());
      const b = await post(prompt({ prompt: { model: 'gpt-4o-mini' } }));
      const read = async (id: string) => (await (await fetch(`${small.url}/logs/${id}`)).json()) as { prompt: Record<string, unknown> };
      expect((await read(b.id)).prompt).toMatchObject({ version_logs_count: 1, total_logs_count: 2 });
      await post(prompt());
      expect((await read(b.id)).prompt).toMatchObject({ version_logs_count: 1, total_logs_count: 2 });
      expect(small.v5Logs().map((log) => log.id)).not.toContain(a.id);
      const refused = await fetch(`${small.url}/prompts/log`, { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify({ id: gone.prompt_id }) });
      expect(refused.status, 'a file whose logs are all gone is forgotten').toBe(422);
    } finally {
      await small.close();
    }
  });

  it('files a new log at the path of a forgotten file of another type under a file of its own type', async () => {
    const small = await startTestLogServer({ api: 'v5', maxLogs: 2, onWarning: () => undefined });
    try {
      const post = async (path: string, body: unknown) => (await (await fetch(`${small.url}${path}`, { method: 'POST', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as Record<string, unknown>;
      expect(await post('/tools/log', tool({ path: 'qa/reused' }))).toMatchObject({ tool_id: expect.stringMatching(/^tl_/) });
      await post('/prompts/log', prompt());
      await post('/prompts/log', prompt());
      const reused = await post('/prompts/log', prompt({ path: 'qa/reused' }));
      expect(reused).toMatchObject({ prompt_id: expect.stringMatching(/^pr_/), version_id: expect.stringMatching(/^prv_/) });
      const read = (await (await fetch(`${small.url}/logs/${String(reused.id)}`)).json()) as { prompt: { path: string; id: string } };
      expect(read.prompt).toMatchObject({ path: 'qa/reused', id: reused.prompt_id });
    } finally {
      await small.close();
    }
  });

  it('refuses an unknown api option', async () => {
    await expect(startTestLogServer({ api: 'v6' as 'v5' })).rejects.toThrow(TypeError);
  });
});
