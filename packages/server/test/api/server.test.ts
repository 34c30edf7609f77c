import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestLogServer, type StoredLog } from '../../src/testing/index.js';
import { KEY, log, startClient, type Client } from './client.js';

let c: Client;

beforeEach(async () => {
  c = await startClient();
});

afterEach(() => c.server.close());

type Created = { id: string; project_id: string; session_id: string | null };

describe('POST /logs', () => {
  it('answers an object with an object of ids, and an array with an array in the same order', async () => {
    const one = (await c.post(log({ session_reference_id: 's1' }))) as Created;
    expect(one).toEqual({
      id: expect.stringMatching(/^data_/),
      project_id: expect.stringMatching(/^pr_/),
      session_id: expect.stringMatching(/^sesh_/),
    });
    const many = (await c.post([log(), log({ session_reference_id: 's1' }), log({ project: 'other' })])) as Created[];
    expect(many).toHaveLength(3);
    expect(many[0]).toEqual({ id: expect.stringMatching(/^data_/), project_id: one.project_id, session_id: null });
    expect(many[1]?.session_id).toBe(one.session_id);
    expect(many[2]?.project_id).not.toBe(one.project_id);
    expect(new Set([one.id, ...many.map((m) => m.id)]).size).toBe(4);
    expect(c.server.logs().map((stored) => stored.id)).toEqual([one.id, ...many.map((m) => m.id)]);
  });

  it('stores the log as sent, extra keys included, with its ids and the request that stored it', async () => {
    const sent = log({ reference_id: 'r', messages: [{ role: 'user', content: 'hi' }], custom_field: { a: 1 } });
    const created = (await c.post(sent)) as Created;
    const stored: StoredLog[] = c.server.logs();
    expect(stored).toEqual([{ ...sent, ...created, request_index: 0 }]);
    expect(c.server.logCount()).toBe(1);
  });

  it('echoes a given project_id and session_id', async () => {
    const created = (await c.post(log({ project: undefined, project_id: 'pr_given', session_id: 'sesh_given' }))) as Created;
    expect(created).toMatchObject({ project_id: 'pr_given', session_id: 'sesh_given' });
  });

  it('accepts an empty array and stores nothing', async () => {
    expect(await c.post([])).toEqual([]);
    expect(c.server.logs()).toEqual([]);
  });
});

describe('authentication', () => {
  it('refuses a missing, empty or wrong X-API-KEY with 401, never echoing it', async () => {
    const missing = await fetch(`${c.server.url}/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(missing.status).toBe(401);
    expect((await c.call('POST', '/logs', log(), { 'x-api-key': '' })).status).toBe(401);
    expect((await c.call('GET', '/logs', undefined, { 'x-api-key': 'wrong' })).status).toBe(401);
    const wrong = await c.call('POST', '/logs', log(), { 'x-api-key': 'wrong-key-123' });
    expect(wrong.status).toBe(401);
    const text = await wrong.text();
    expect(text).not.toContain('wrong-key-123');
    expect(JSON.parse(text)).toEqual({ detail: expect.any(String) });
    expect(c.server.logs()).toHaveLength(0);
  });

  it('accepts any non-empty key when started without one', async () => {
    const open = await startClient({});
    try {
      expect((await open.call('GET', '/logs', undefined, { 'x-api-key': 'anything' })).status).toBe(200);
      expect((await open.call('POST', '/logs', log(), { 'x-api-key': 'anything' })).status).toBe(200);
      expect((await open.call('POST', '/logs', log(), { 'x-api-key': '' })).status).toBe(401);
    } finally {
      await open.server.close();
    }
  });

  it('records every request with the key redacted', async () => {
    await c.post([log(), log()]);
    await c.call('GET', '/logs', undefined, { 'x-api-key': 'wrong' });
    const [first, second] = c.server.requests();
    expect(first).toMatchObject({ index: 0, method: 'POST', path: '/v4/logs', status: 200, itemCount: 2 });
    expect(first?.headers['x-api-key']).toBe('[present]');
    expect(second).toMatchObject({ index: 1, method: 'GET', status: 401, itemCount: 0 });
    expect(JSON.stringify(c.server.requests())).not.toContain(KEY);
  });
});

describe('PATCH and GET /logs', () => {
  it('updates by id and by reference_id, and answers the updated log', async () => {
    const created = (await c.post(log({ reference_id: 'r1' }))) as Created;
    const byId = await c.call('PATCH', `/logs/${created.id}`, { output: 'done' });
    expect(byId.status).toBe(200);
    expect(await byId.json()).toMatchObject({ id: created.id, reference_id: 'r1', output: 'done' });
    const byRef = await c.call('PATCH', '/logs?reference_id=r1', { error: 'boom', duration: 1.5 });
    expect(await byRef.json()).toMatchObject({ id: created.id, output: 'done', error: 'boom', duration: 1.5 });
    expect(c.server.logs()[0]).toMatchObject({ output: 'done', error: 'boom', duration: 1.5 });
  });

  it('refuses other keys and bad values with 422, and an unknown log with 404', async () => {
    const created = (await c.post(log({ reference_id: 'r1' }))) as Created;
    const extra = await c.call('PATCH', `/logs/${created.id}`, { output: 'x', messages: [] });
    expect(extra.status).toBe(422);
    expect(((await extra.json()) as { detail: Array<{ loc: unknown[] }> }).detail.map((d) => d.loc)).toEqual([['body', 'messages']]);
    const bad = await c.call('PATCH', '/logs?reference_id=r1', { output: 1, duration: -1 });
    expect(((await bad.json()) as { detail: Array<{ loc: unknown[] }> }).detail.map((d) => d.loc)).toEqual([
      ['body', 'output'],
      ['body', 'duration'],
    ]);
    const noTarget = await c.call('PATCH', '/logs', { output: 'x' });
    expect(await noTarget.json()).toEqual({ detail: [expect.objectContaining({ loc: ['query', 'reference_id'] })] });
    const unknownRef = await c.call('PATCH', '/logs?reference_id=nope', { output: 'x' });
    expect([unknownRef.status, await unknownRef.json()]).toEqual([404, { detail: expect.any(String) }]);
    expect((await c.call('PATCH', '/logs/data_unknown', { output: 'x' })).status).toBe(404);
    expect(c.server.logs()[0]?.output).toBeUndefined();
  });

  it('reads back every log, or one by id, without the server-side request index', async () => {
    const sent = log({ reference_id: 'r1' });
    const created = (await c.post(sent)) as Created;
    await c.post(log());
    const all = (await (await c.call('GET', '/logs')).json()) as unknown[];
    expect(all).toHaveLength(2);
    expect(all[0]).toEqual({ ...sent, ...created });
    const one = await c.call('GET', `/logs/${created.id}`);
    expect(await one.json()).toEqual({ ...sent, ...created });
    expect((await c.call('GET', '/logs/data_unknown')).status).toBe(404);
  });
});

describe('routing', () => {
  it('serves under /v4 and at the root, and answers 404 and 405 elsewhere', async () => {
    const root = `${c.server.url.replace(/\/v4$/, '')}/logs`;
    const bare = await fetch(root, { headers: { 'x-api-key': KEY } });
    expect(bare.status).toBe(200);
    expect((await c.call('GET', '/prompts')).status).toBe(404);
    expect((await c.call('GET', '/logs/a/b')).status).toBe(404);
    expect((await c.call('GET', '/logs/%E0%A4%A')).status).toBe(404);
    expect((await c.call('DELETE', '/logs')).status).toBe(405);
    expect((await c.call('POST', '/logs/data_x', log())).status).toBe(405);
  });
});

describe('request bodies', () => {
  it('refuses broken JSON and other content types with 422 at loc ["body"]', async () => {
    for (const response of [
      await c.call('POST', '/logs', '{not json'),
      await c.call('POST', '/logs', ''),
      await c.call('POST', '/logs', JSON.stringify(log()), { 'content-type': 'text/plain' }),
      await c.call('POST', '/logs', JSON.stringify(log()), { 'content-type': 'application/jsonx' }),
      await c.call('PATCH', '/logs?reference_id=r', '{"output": '),
    ]) {
      expect(response.status).toBe(422);
      expect(await response.json()).toEqual({ detail: [expect.objectContaining({ loc: ['body'] })] });
    }
    expect((await c.call('POST', '/logs', log(), { 'content-type': 'Application/JSON; charset=utf-8' })).status).toBe(200);
  });

  it('refuses a body that is not UTF-8 or nests too deeply', async () => {
    const latin1 = Buffer.from('{"project":"caf\xe9","config":{"type":"generic"}}', 'latin1');
    const invalid = await fetch(`${c.server.url}/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: latin1,
    });
    expect(invalid.status).toBe(422);
    const deep = log({ inputs: { x: JSON.parse('['.repeat(300) + ']'.repeat(300)) as unknown } });
    expect((await c.call('POST', '/logs', deep)).status).toBe(422);
    const fine = log({ inputs: { x: JSON.parse('['.repeat(100) + '"[[[["' + ']'.repeat(100)) as unknown } });
    expect((await c.call('POST', '/logs', fine)).status).toBe(200);
  });

  it('answers 413 to a body over maxBodyBytes, declared or streamed, and keeps serving', async () => {
    const small = await startClient({ apiKey: KEY, maxBodyBytes: 1_000 });
    try {
      const declared = await small.call('POST', '/logs', log({ output: 'x'.repeat(5_000) }));
      expect([declared.status, await declared.json()]).toEqual([413, { detail: expect.any(String) }]);
      const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
      let sent = 0;
      const streamed = await fetch(`${small.server.url}/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEY },
        body: new ReadableStream({
          pull: (controller) => (sent++ < 64 ? controller.enqueue(chunk) : controller.close()),
        }),
        duplex: 'half',
      });
      expect(streamed.status).toBe(413);
      expect((await small.call('POST', '/logs', log())).status).toBe(200);
      expect(small.server.logs()).toHaveLength(1);
    } finally {
      await small.server.close();
    }
  });
});

describe('lifecycle', () => {
  it('clear() forgets logs, requests and faults; close() is idempotent', async () => {
    await c.post(log());
    c.server.inject({ status: 500 });
    c.server.clear();
    expect(c.server.logs()).toEqual([]);
    expect(c.server.requests()).toEqual([]);
    expect((await c.call('POST', '/logs', log())).status).toBe(200);
    expect(c.server.requests()[0]?.index).toBe(0);
    await Promise.all([c.server.close(), c.server.close()]);
    await c.server.close();
    await expect(c.call('GET', '/logs')).rejects.toThrow();
  });

  it('tells onLog of each stored log, and ignores what it throws', async () => {
    const seen: string[] = [];
    const withListener = await startClient({
      apiKey: KEY,
      onLog: (stored) => {
        seen.push(stored.id);
        throw new Error('listener failure');
      },
    });
    try {
      const created = (await withListener.post([log(), log()])) as Created[];
      expect(seen).toEqual(created.map((m) => m.id));
    } finally {
      await withListener.server.close();
    }
  });

  it('refuses nonsensical options', async () => {
    await expect(startTestLogServer({ maxBodyBytes: -1 })).rejects.toThrow(RangeError);
    await expect(startTestLogServer({ apiKey: '' })).rejects.toThrow(TypeError);
    await expect(startTestLogServer({ port: 70_000 })).rejects.toThrow();
  });
});
