/**
 * The HTTP API over each engine: one script of v4 and v5 requests (creates, children, PATCHes,
 * feedback, judgments, traces, lists, refusals) answers the same on a server keeping its logs in
 * SQLite or PostgreSQL as on one keeping them in memory, once the ids and times each run makes
 * its own are named by order of appearance.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/index.js';
import { startTestLogServer, type TestLogServer } from '../../src/testing/index.js';
import { serverBinaries, startPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.mjs';
import { KEY } from './client.js';

type Call = (method: string, path: string, body?: unknown) => Promise<unknown>;

const dir = mkdtempSync(join(tmpdir(), 'hl-api-engines-'));
let cluster: PostgresCluster | undefined;

afterAll(async () => {
  await cluster?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Every answer of the script, as [method path, status, body]. */
async function playScript(server: TestLogServer): Promise<unknown[]> {
  const answers: unknown[] = [];
  const call: Call = async (method, path, body) => {
    const response = await fetch(`${server.url.replace(/\/v[45]$/, '')}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer: unknown = await response.json();
    answers.push([`${method} ${path}`, response.status, answer]);
    return answer;
  };
  const model = { type: 'model', model: 'gpt-4o' };
  const [parent] = (await call('POST', '/v4/logs', [
    { project: 'p', config: model, reference_id: 'root', session_reference_id: 's1', created_at: '2026-12-06T09:00:00Z' },
    { project: 'p', config: model, reference_id: 'other', prompt_tokens: 3, output_tokens: 4 },
  ])) as Array<{ id: string }>;
  await call('POST', '/v4/logs', { project: 'p', config: model, parent_reference_id: 'root', output: 'child', error: 'boom' });
  await call('POST', '/v4/logs', { project: 'p', config: model, parent_reference_id: 'nowhere' });
  await call('PATCH', '/v4/logs?reference_id=root', { output: 'done', duration: 1.5 });
  await call('PATCH', '/v4/logs?reference_id=nowhere', { output: 'x' });
  await call('POST', '/v4/feedback', [{ type: 'rating', value: 'good', data_id: parent.id }, { type: 'comment', value: 'ok', data_id: parent.id }]);
  await call('POST', '/v4/feedback', { type: 'rating', data_id: parent.id, unset: true });
  await call('POST', '/v4/feedback', { type: 'rating', value: 1, data_id: 'data_missing' });
  await call('GET', `/v4/logs/${parent.id}`);
  await call('GET', '/v4/logs');

  const flow = (await call('POST', '/v5/flows/log', { path: 'qa/flow', flow: { attributes: { a: 1 } }, log_status: 'incomplete', start_time: '2026-12-06T09:00:00Z' })) as { id: string; flow_id: string };
  const prompt = (await call('POST', '/v5/prompts/log', {
    path: 'qa/chat',
    prompt: { model: 'gpt-4o', template: 'Hi {{ name }}' },
    trace_parent_id: flow.id,
    inputs: { name: 'Ada' },
    output: 'Hello Ada',
    end_time: '2026-12-06T09:00:05Z',
  })) as { id: string; prompt_id: string };
  await call('POST', '/v5/prompts/log', { id: prompt.prompt_id, trace_parent_id: prompt.id, output: 'again', log_id: 'chosen-id' });
  await call('POST', '/v5/tools/log', { path: 'qa/chat', tool: { name: 't' } });
  await call('POST', '/v5/prompts/log', { path: 'qa/chat', log_id: 'chosen-id' });
  const spec = { evaluator_type: 'external', arguments_type: 'target_free', return_type: 'number' };
  const judged = (await call('POST', '/v5/evaluators/log', { path: 'qa/evaluators/Relevance', spec, parent_id: prompt.id, judgment: 4 })) as { id: string };
  await call('POST', '/v5/evaluators/log', { path: 'qa/evaluators/Relevance', parent_id: 'log_missing', judgment: 1 });
  await call('GET', `/v5/logs/${judged.id}`);
  await call('GET', `/v5/logs/${flow.id}`);
  await call('PATCH', `/v5/flows/logs/${flow.id}`, { log_status: 'complete', output: 'flow done' });
  await call('POST', '/v5/prompts/log', { id: prompt.prompt_id, trace_parent_id: prompt.id });
  await call('PATCH', `/v5/prompts/${prompt.prompt_id}/log/${prompt.id}`, { output: 'changed' });
  await call('GET', `/v5/logs?file_id=${prompt.prompt_id}&include_trace_children=true`);
  await call('GET', '/v5/logs?size=2&page=2');
  await call('GET', '/v5/logs?search=ada');
  return answers;
}

/** Ids the server made (random per process) and times it stamped, named by order of appearance. */
function normalized(answers: unknown[]): string {
  const names = new Map<string, string>();
  const text = JSON.stringify(answers);
  return text
    .replace(/\b(data|sesh|pr|ann)_[0-9a-f]{24}\b/g, (id, prefix: string) => {
      if (!names.has(id)) names.set(id, `${prefix}_#${names.size + 1}`);
      return names.get(id)!;
    })
    .replace(/"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/g, (time) => (Math.abs(Date.parse(JSON.parse(time) as string) - Date.now()) < 600_000 ? '"NOW"' : time));
}

async function answersOn(db: string | undefined): Promise<string> {
  const server = await startTestLogServer({ apiKey: KEY, db });
  try {
    return normalized(await playScript(server));
  } finally {
    await server.close();
  }
}

describe('the HTTP API on every engine', () => {
  let expected: Promise<string> | undefined;
  const memoryAnswers = () => (expected ??= answersOn(undefined));

  it('answers the script on memory with what it says (an unknown parent, a path of another type, a taken log id, a child of a completed flow refused)', async () => {
    const answers = JSON.parse(await memoryAnswers()) as Array<[string, number, unknown]>;
    const statuses = answers.map(([request, status]) => `${status} ${request.split('?')[0]}`);
    expect(statuses.filter((line) => !line.startsWith('200'))).toEqual([
      '422 POST /v4/logs',
      '404 PATCH /v4/logs',
      '422 POST /v4/feedback',
      '422 POST /v5/tools/log',
      '422 POST /v5/prompts/log',
      '422 POST /v5/evaluators/log',
      '422 POST /v5/prompts/log',
    ]);
  });

  it('answers the same on SQLite as in memory, and its logs are in the file after the server closes', async () => {
    const path = join(dir, 'logs.db');
    expect(await answersOn(path)).toBe(await memoryAnswers());
    const reopened = await openStore({ db: path });
    try {
      expect(await reopened.totals({ api: 'v4' })).toMatchObject({ logs: 3, errors: 1, promptTokens: 3, outputTokens: 4 });
      expect((await reopened.totals({ api: 'v5' })).logs).toBe(3);
    } finally {
      await reopened.close();
    }
  });

  it.skipIf(serverBinaries() === undefined)('answers the same on PostgreSQL as in memory', async () => {
    cluster = await startPostgresCluster();
    expect(await answersOn(await cluster.createDatabase())).toBe(await memoryAnswers());
  }, 60_000);
});
