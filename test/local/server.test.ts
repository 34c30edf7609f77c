import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLocalLogServer, type LocalLogServer } from '../../src/local/index.js';

const KEY = 'local-test-key';
let server: LocalLogServer;

beforeEach(async () => {
  server = await startLocalLogServer({ apiKey: KEY });
});

afterEach(() => server.close());

function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-api-key': KEY, ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(2000),
  });
}

async function json(response: Response): Promise<unknown> {
  return (await response.json());
}

const log = (extra: Record<string, unknown> = {}) => ({
  project: 'p',
  config: { type: 'model', model: 'gpt-4o' },
  ...extra,
});

describe('local log server: logging', () => {
  it('answers an object with an object and an array with an array of ids', async () => {
    const one = (await json(await call('POST', '/logs', log({ session_reference_id: 's1' })))) as Record<string, unknown>;
    expect(one).toEqual({ id: expect.stringMatching(/^data_/), project_id: expect.stringMatching(/^pr_/), session_id: expect.stringMatching(/^sesh_/) });
    const many = (await json(await call('POST', '/logs', [log(), log({ session_reference_id: 's1' })]))) as Array<Record<string, unknown>>;
    expect(many).toHaveLength(2);
    expect(many[0]).toMatchObject({ project_id: one.project_id, session_id: null });
    expect(many[1]?.session_id).toBe(one.session_id);
    expect(server.logs().map((stored) => stored.id)).toEqual([one.id, many[0]?.id, many[1]?.id]);
  });

  it('refuses a missing or wrong key with 401 and never echoes it', async () => {
    expect((await call('POST', '/logs', log(), { 'x-api-key': '' })).status).toBe(401);
    const wrong = await call('POST', '/logs', log(), { 'x-api-key': 'wrong-key-123' });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('wrong-key-123');
    expect(server.requests()[1]?.headers['x-api-key']).toBe('[present]');
    expect(server.logs()).toHaveLength(0);
  });

  it('stores and reads back logs, and applies PATCH by id and by reference_id', async () => {
    const created = (await json(await call('POST', '/logs', log({ reference_id: 'r1' })))) as { id: string };
    const byId = await call('PATCH', `/logs/${created.id}`, { output: 'done' });
    expect(await json(byId)).toMatchObject({ id: created.id, output: 'done' });
    const byRef = await call('PATCH', '/logs?reference_id=r1', { error: 'boom', duration: 1.5 });
    expect(await json(byRef)).toMatchObject({ output: 'done', error: 'boom', duration: 1.5 });
    expect(await json(await call('GET', `/logs/${created.id}`))).toMatchObject({ reference_id: 'r1', error: 'boom' });
    expect(await json(await call('GET', '/logs'))).toHaveLength(1);
    expect((await call('PATCH', '/logs?reference_id=nope', { output: 'x' })).status).toBe(404);
    expect((await call('PATCH', `/logs/${created.id}`, { output: 'x', messages: [] })).status).toBe(422);
    expect((await call('GET', '/logs/data_unknown')).status).toBe(404);
  });
});

describe('local log server: validation', () => {
  async function detail(body: unknown): Promise<Array<{ loc: unknown[]; type: string }>> {
    const response = await call('POST', '/logs', body);
    expect(response.status).toBe(422);
    return ((await json(response)) as { detail: Array<{ loc: unknown[]; type: string }> }).detail;
  }

  it('rejects the whole request and names every bad item by index and field', async () => {
    const errors = await detail([log(), log({ duration: -1 }), log({ config: { type: 'model' } })]);
    expect(errors.map((e) => e.loc)).toEqual([
      ['body', 1, 'duration'],
      ['body', 2, 'config', 'model'],
    ]);
    expect(server.logs()).toHaveLength(0);
  });

  it('checks field types, enums, dates and exclusive pairs', async () => {
    const errors = await detail(
      log({
        created_at: '2026-02-30T10:00:00Z',
        prompt_tokens: 1.5,
        inputs: [],
        session_id: 'a',
        session_reference_id: 'b',
        config: { type: 'model', model: 'm', provider: 'mistral', endpoint: 'chat', stop: [1] },
        messages: [{ role: 'developer', content: 'x' }, { role: 'tool', content: 'y' }],
        output_message: { role: 'assistant', content: [{ type: 'audio' }], tool_calls: [{ id: 'c', type: 'function', function: {} }] },
      }),
    );
    expect(errors.map((e) => e.loc.slice(1).join('.')).sort()).toEqual(
      [
        'config.provider',
        'config.stop',
        'created_at',
        'inputs',
        'messages.0.role',
        'messages.1.tool_call_id',
        'output_message.content.0.type',
        'output_message.tool_calls.0.function.name',
        'prompt_tokens',
        'session_reference_id',
      ].sort(),
    );
  });

  it('accepts every config type and refuses an unknown one', async () => {
    const configs = [
      { type: 'tool', name: 't', parameters: { type: 'object' } },
      { type: 'generic', name: 'g', other: { kind: 'agent' } },
      { type: 'agent', agent_class: 'a', model_config: { model: 'm' }, tools: [{ type: 'tool', name: 't' }] },
    ];
    for (const config of configs) expect((await call('POST', '/logs', log({ config }))).status).toBe(200);
    expect((await detail(log({ config: { type: 'flow' } })))[0]?.loc).toEqual(['body', 'config', 'type']);
    expect((await detail({ config: { type: 'generic' } }))[0]?.loc).toEqual(['body', 'project']);
  });

  it('requires a parent to come from an earlier request', async () => {
    const same = await detail([log({ reference_id: 'a' }), log({ reference_id: 'b', parent_reference_id: 'a' })]);
    expect(same).toEqual([expect.objectContaining({ loc: ['body', 1, 'parent_reference_id'], type: 'value_error.parent_same_request' })]);
    const unknown = await detail(log({ parent_reference_id: 'zzz' }));
    expect(unknown[0]?.type).toBe('value_error.parent_unknown');
    const parent = (await json(await call('POST', '/logs', log({ reference_id: 'a' })))) as { id: string };
    const ok = await call('POST', '/logs', log({ reference_id: 'b', parent_reference_id: 'a', trace_parent_id: parent.id }));
    expect(ok.status).toBe(200);
    expect((await detail(log({ trace_parent_id: 'data_nope' })))[0]?.loc).toEqual(['body', 'trace_parent_id']);
  });

  it('answers 422 for a body that is not JSON, and 413 for one too large', async () => {
    expect((await call('POST', '/logs', '{not json')).status).toBe(422);
    expect((await call('POST', '/logs', log(), { 'content-type': 'text/plain' })).status).toBe(422);
    const small = await startLocalLogServer({ apiKey: KEY, maxBodyBytes: 1000 });
    try {
      const response = await fetch(`${small.url}/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEY },
        body: JSON.stringify(log({ output: 'x'.repeat(5000) })),
      });
      expect(response.status).toBe(413);
    } finally {
      await small.close();
    }
  });
});

describe('local log server: faults', () => {
  it('plays queued statuses with Retry-After, then answers normally', async () => {
    server.inject({ status: 429, retryAfter: '2' }, 2);
    const first = await call('POST', '/logs', log());
    expect([first.status, first.headers.get('retry-after')]).toEqual([429, '2']);
    expect((await call('POST', '/logs', log())).status).toBe(429);
    expect((await call('POST', '/logs', log())).status).toBe(200);
    expect(server.requests().map((r) => r.fault)).toEqual(['status:429', 'status:429', undefined]);
    expect(server.logs()).toHaveLength(1);
  });

  it('delays, resets and hangs', async () => {
    server.inject({ delayMillis: 100 });
    const started = Date.now();
    expect((await call('POST', '/logs', log())).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    server.inject({ drop: 'reset' });
    await expect(call('POST', '/logs', log())).rejects.toThrow();
    server.inject({ drop: 'hang' });
    await expect(
      fetch(`${server.url}/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEY },
        body: JSON.stringify(log()),
        signal: AbortSignal.timeout(150),
      }),
    ).rejects.toThrow();
    expect(server.logs()).toHaveLength(1);
  });

  it('follows a fault plan and simulates an outage with down/up', async () => {
    server.setFaultPlan(({ index }) => (index % 2 === 0 ? { status: 503 } : undefined));
    expect((await call('POST', '/logs', log())).status).toBe(503);
    expect((await call('POST', '/logs', log())).status).toBe(200);
    server.setFaultPlan(undefined);
    server.down();
    await expect(call('POST', '/logs', log())).rejects.toThrow();
    server.up();
    expect((await call('POST', '/logs', log())).status).toBe(200);
  });
});
