import { afterEach, describe, expect, it } from 'vitest';
import { startClient, log, KEY, type Client, type Detail } from './client.js';

/** The local server's routes for judgements of stored logs: v4 `POST /feedback`, v5 `POST /v5/evaluators/log`. */

let client: Client | undefined;
afterEach(async () => {
  await client?.server.close();
  client = undefined;
});

async function detailOf(response: Response): Promise<Detail[]> {
  expect(response.status).toBe(422);
  return ((await response.json()) as { detail: Detail[] }).detail;
}

describe('POST /feedback (v4)', () => {
  it('keeps feedback on the log it names, and shows it in the log', async () => {
    client = await startClient({ apiKey: KEY });
    const [created] = (await client.post([log()])) as Array<{ id: string }>;
    const response = await client.call('POST', '/feedback', [{ type: 'Relevance', value: 4, data_id: created.id }]);
    expect(response.status).toBe(200);
    const [answer] = (await response.json()) as Array<{ id: string }>;
    expect(answer).toMatchObject({ type: 'Relevance', value: 4, data_id: created.id, id: expect.stringMatching(/^ann_/) });
    const read = (await (await client.call('GET', `/logs/${created.id}`)).json()) as { feedback: unknown };
    expect(read.feedback).toEqual([answer]);
  });

  it('refuses feedback on no stored log, without a value, or with fields the request has not, naming each', async () => {
    client = await startClient({ apiKey: KEY });
    const [created] = (await client.post([log()])) as Array<{ id: string }>;
    const detail = await detailOf(
      await client.call('POST', '/feedback', [
        { type: 'Relevance', value: 4, data_id: 'data_unknown' },
        { type: 'Relevance', data_id: created.id },
        { type: 'Relevance', value: 4, data_id: created.id, score: 4 },
      ]),
    );
    expect(detail.map((item) => item.loc)).toEqual([
      ['body', 0, 'data_id'],
      ['body', 1, 'value'],
      ['body', 2, 'score'],
    ]);
    expect(client.server.logs()[0]).not.toHaveProperty('feedback');
  });
});

describe('POST /v5/evaluators/log', () => {
  const evaluator = (parent: string, extra: Record<string, unknown> = {}) => ({
    path: 'p/evaluators/Relevance',
    parent_id: parent,
    judgment: 4,
    spec: { evaluator_type: 'external', arguments_type: 'target_free', return_type: 'number' },
    ...extra,
  });

  it('keeps an evaluator log on the log it judges, and shows it in the log', async () => {
    client = await startClient({ apiKey: KEY, api: 'v5' });
    const prompt = await client.call('POST', '/prompts/log', { path: 'p/gpt-4o', prompt: { model: 'gpt-4o' }, output: 'hi' });
    const { id } = (await prompt.json()) as { id: string };
    const response = await client.call('POST', '/evaluators/log', evaluator(id, { log_id: 'ev-1' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: 'ev-1', parent_id: id, version_id: expect.stringMatching(/^evv_/) });
    const read = (await (await client.call('GET', `/logs/${id}`)).json()) as { evaluator_logs: unknown[] };
    expect(read.evaluator_logs).toEqual([expect.objectContaining({ id: 'ev-1', judgment: 4, parent_id: id, type: 'evaluator' })]);
    expect(client.server.v5Logs()).toHaveLength(1);
  });

  it('refuses a parent that is no stored log, a log_id taken, a new path without its spec, and fields the body has not', async () => {
    client = await startClient({ apiKey: KEY, api: 'v5' });
    const prompt = await client.call('POST', '/prompts/log', { path: 'p/gpt-4o', prompt: { model: 'gpt-4o' } });
    const { id } = (await prompt.json()) as { id: string };
    expect((await detailOf(await client.call('POST', '/evaluators/log', evaluator('log_unknown')))).map((d) => d.loc)).toEqual([['body', 'parent_id']]);
    expect((await detailOf(await client.call('POST', '/evaluators/log', evaluator(id, { log_id: id })))).map((d) => d.loc)).toEqual([['body', 'log_id']]);
    expect((await detailOf(await client.call('POST', '/evaluators/log', evaluator(id, { spec: undefined })))).map((d) => d.loc)).toEqual([['body', 'spec']]);
    expect((await detailOf(await client.call('POST', '/evaluators/log', evaluator(id, { score: 4 })))).length).toBeGreaterThan(0);
    expect((await detailOf(await client.call('POST', '/evaluators/log', { path: 'p/evaluators/x', judgment: 1 }))).length).toBeGreaterThan(0);
  });
});
