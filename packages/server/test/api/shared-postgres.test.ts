/**
 * Two log servers on one PostgreSQL database serve as one: a log posted to either is read,
 * completed and judged through the other (v4 by reference id, v5 as a flow and its children).
 * A throwaway cluster; skipped where no PostgreSQL server is installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestLogServer, type TestLogServer } from '../../src/testing/index.js';
import { serverBinaries, startPostgresCluster, type PostgresCluster } from '../helpers/postgres-cluster.mjs';
import { KEY } from './client.js';

describe.skipIf(serverBinaries() === undefined)('two servers on one PostgreSQL database', () => {
  let cluster: PostgresCluster;
  let one: TestLogServer;
  let other: TestLogServer;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    const db = await cluster.createDatabase();
    [one, other] = await Promise.all([startTestLogServer({ apiKey: KEY, db }), startTestLogServer({ apiKey: KEY, db })]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([one?.close(), other?.close()]);
    await cluster?.stop();
  });

  const call = async (server: TestLogServer, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${server.url.replace(/\/v[45]$/, '')}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & { id: string } };
  };

  it('reads through one a v4 log posted to the other, completes it by reference id through it, and takes its children on either', async () => {
    const placeholder = await call(one, 'POST', '/v4/logs', { project: 'shared', config: { type: 'model', model: 'gpt-4o' }, reference_id: 'open-1' });
    expect(placeholder.status).toBe(200);
    expect((await call(other, 'GET', `/v4/logs/${placeholder.body.id}`)).body).toMatchObject({ reference_id: 'open-1', project_id: placeholder.body.project_id });
    const child = await call(other, 'POST', '/v4/logs', { project: 'shared', config: { type: 'model', model: 'gpt-4o' }, parent_reference_id: 'open-1' });
    expect([child.status, child.body.project_id]).toEqual([200, placeholder.body.project_id]);
    expect((await call(other, 'PATCH', '/v4/logs?reference_id=open-1', { output: 'done elsewhere' })).status).toBe(200);
    expect((await call(one, 'GET', `/v4/logs/${placeholder.body.id}`)).body.output).toBe('done elsewhere');
    const trace = (await call(one, 'GET', `/v4/logs/${child.body.id}/trace`)).body as unknown as { count: number };
    expect(trace.count).toBe(2);
  });

  it('stores one log of a client-chosen log id sent to both at once, ten requests each, and refuses the others with 422', async () => {
    const send = (server: TestLogServer, i: number) => call(server, 'POST', '/v5/prompts/log', { path: 'shared/race', prompt: { model: 'gpt-4o' }, log_id: 'raced-id', output: `${i}` });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => send(i % 2 === 0 ? one : other, i)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, ...Array<number>(19).fill(422)]);
    const listed = (await call(one, 'GET', '/v5/logs?id=raced-id')).body as unknown as { total: number };
    expect(listed.total).toBe(1);
  });

  it('creates a v5 flow on one, adds its children and judges one through the other, completes it there, and refuses a late child on either', async () => {
    const flow = await call(one, 'POST', '/v5/flows/log', { path: 'shared/flow', flow: { attributes: {} }, log_status: 'incomplete' });
    expect(flow.status).toBe(200);
    const step = await call(other, 'POST', '/v5/prompts/log', { path: 'shared/step', prompt: { model: 'gpt-4o' }, trace_parent_id: flow.body.id, output: 'step' });
    const again = await call(one, 'POST', '/v5/prompts/log', { path: 'shared/step', trace_parent_id: flow.body.id, output: 'again' });
    expect([step.status, again.status, again.body.prompt_id]).toEqual([200, 200, step.body.prompt_id]);
    expect(again.body.id).not.toBe(step.body.id);
    const judged = await call(other, 'POST', '/v5/evaluators/log', { path: 'shared/evaluators/E', spec: { evaluator_type: 'external', arguments_type: 'target_free', return_type: 'number' }, parent_id: step.body.id, judgment: 1 });
    expect(judged.status).toBe(200);
    const completed = await call(other, 'PATCH', `/v5/flows/logs/${flow.body.id}`, { log_status: 'complete', output: 'finished' });
    expect([completed.status, completed.body.log_status]).toEqual([200, 'complete']);
    const read = await call(one, 'GET', `/v5/logs/${flow.body.id}`);
    expect(read.body).toMatchObject({ log_status: 'complete', output: 'finished' });
    const children = read.body.trace_children as Array<{ id: string; evaluator_logs: Array<{ id: string }> }>;
    expect(children.map((child) => child.id)).toEqual([step.body.id, again.body.id]);
    expect(children[0].evaluator_logs.map((log) => log.id)).toEqual([judged.body.id]);
    expect((await call(one, 'GET', `/v5/logs/${judged.body.id}`)).body.parent_id).toBe(step.body.id);
    for (const server of [one, other]) {
      expect((await call(server, 'POST', '/v5/prompts/log', { path: 'shared/step', trace_parent_id: flow.body.id })).status).toBe(422);
    }
  });
});
