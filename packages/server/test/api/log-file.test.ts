import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLocalLogServer, type LocalLogServer, type LocalLogServerOptions } from '../../src/api/index.js';

/** `dataFile`: logs kept as JSON lines across a restart, corrupt lines skipped, a size bound. */

const KEY = 'data-file-key';
let dir: string;
let file: string;
let warnings: string[];
const open: LocalLogServer[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hl-data-'));
  file = join(dir, 'logs.jsonl');
  warnings = [];
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function start(options: LocalLogServerOptions = {}): Promise<LocalLogServer> {
  const server = await startLocalLogServer({ apiKey: KEY, dataFile: file, onWarning: (message) => warnings.push(message), ...options });
  open.push(server);
  return server;
}

async function call(server: LocalLogServer, method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const base = server.url.replace(/\/v4$/, '');
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: JSON.stringify(body),
  });
  expect(response.status, `${method} ${path}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

const model = (extra: Record<string, unknown>) => ({ project: 'p', config: { type: 'model', model: 'gpt-4o' }, ...extra });

/** A v4 agent placeholder with a model call under it, completed; a v5 flow with a prompt under it, completed. */
async function sendTraces(server: LocalLogServer): Promise<void> {
  await call(server, 'POST', '/v4/logs', [
    { project: 'p', reference_id: 'agent', session_reference_id: 's1', config: { type: 'agent', agent_class: 'a', model_config: { model: 'gpt-4o' } }, metadata: { placeholder: true } },
  ]);
  await call(server, 'POST', '/v4/logs', model({ reference_id: 'call', parent_reference_id: 'agent', session_reference_id: 's1', messages: [{ role: 'user', content: 'hi' }] }));
  await call(server, 'PATCH', '/v4/logs?reference_id=agent', { output: 'done', duration: 2 });
  const flow = await call(server, 'POST', '/v5/flows/log', { path: 'f/flow', flow: { attributes: { a: 1 } }, log_status: 'incomplete', start_time: '2026-01-01T00:00:00Z' });
  await call(server, 'POST', '/v5/prompts/log', {
    path: 'f/prompt',
    prompt: { model: 'gpt-4o' },
    trace_parent_id: flow.id,
    start_time: '2026-01-01T00:00:01Z',
    end_time: '2026-01-01T00:00:03Z',
  });
  await call(server, 'PATCH', `/v5/flows/logs/${String(flow.id)}`, { log_status: 'complete', output: 'flow done' });
}

describe('dataFile', () => {
  it('keeps stored and updated logs of both APIs across a restart, and goes on from them', async () => {
    const first = await start();
    await sendTraces(first);
    const [v4, v5] = [first.logs(), first.v5Logs()];
    await first.close();
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(7); // 4 stored, 3 updates (the flow's end moved by its child, then its completion)

    const second = await start();
    expect(second.logs()).toEqual(v4);
    expect(second.v5Logs()).toEqual(v5);
    expect(second.logs()[0]).toMatchObject({ reference_id: 'agent', output: 'done', duration: 2 });
    expect(second.v5Logs()[0]).toMatchObject({ log_status: 'complete', output: 'flow done', end_time: expect.any(String) });
    expect(warnings).toEqual([]);

    // The next logs join the same project, session and file; ids do not collide.
    const added = await call(second, 'POST', '/v4/logs', model({ session_reference_id: 's1', parent_reference_id: 'agent' }));
    expect(added).toMatchObject({ project_id: v4[0]?.project_id, session_id: v4[0]?.session_id });
    const prompt = await call(second, 'POST', '/v5/prompts/log', { path: 'f/prompt', prompt: { model: 'gpt-4o' } });
    expect(prompt).toMatchObject({ prompt_id: v5[1]?.file_id, version_id: v5[1]?.version_id });
    const newFile = await call(second, 'POST', '/v5/tools/log', { path: 'f/tool', tool: { function: { name: 't', description: 'a tool' } } });
    expect([v5[0]?.file_id, v5[1]?.file_id]).not.toContain(newFile.tool_id);
    expect(new Set([...v5.map((log) => log.id), prompt.id, newFile.id]).size).toBe(v5.length + 2);
  });

  it('answers v5 reads the same after a restart: files, versions, counts and trace children', async () => {
    const first = await start();
    await sendTraces(first);
    const flowId = first.v5Logs()[0]?.id ?? '';
    const read = async (server: LocalLogServer) => [await call(server, 'GET', `/v5/logs/${flowId}`, undefined), await call(server, 'GET', '/v5/logs', undefined)];
    const before = await read(first);
    expect(before[0]).toMatchObject({ flow: { attributes: { a: 1 }, version_logs_count: 1 }, trace_children: [{ prompt: { model: 'gpt-4o' } }] });
    await first.close();

    const second = await start();
    expect(await read(second)).toEqual(before);
  });

  it('finds a v5 judgment by its id after a restart, and gives the next judgment a new id', async () => {
    const first = await start();
    const prompt = await call(first, 'POST', '/v5/prompts/log', { path: 'f/prompt', prompt: { model: 'gpt-4o' } });
    const judgment = { path: 'f/evaluators/Relevance', parent_id: prompt.id, judgment: 4, spec: { evaluator_type: 'external', arguments_type: 'target_free', return_type: 'number' } };
    const judged = await call(first, 'POST', '/v5/evaluators/log', judgment);
    await first.close();

    const second = await start();
    expect(await call(second, 'GET', `/v5/logs/${String(judged.id)}`, undefined)).toMatchObject({ id: judged.id, parent_id: prompt.id, judgment: 4 });
    const next = await call(second, 'POST', '/v5/evaluators/log', { ...judgment, judgment: 5 });
    expect(next.id).not.toBe(judged.id);
  });

  it('skips lines that are not logs with one warning, and ends a line cut short before appending', async () => {
    const first = await start();
    await call(first, 'POST', '/v4/logs', model({ reference_id: 'kept' }));
    await first.close();
    appendFileSync(file, 'not json\n{"api":"v4","log":{"id":"no-config"}}\n{"api":"v9","log":{"id":"x"}}\n\n{"api":"v4","log":{"id":"cut');

    const second = await start();
    expect(warnings).toEqual([expect.stringMatching(/^skipped 4 line\(s\) of .*logs\.jsonl that are not logs$/)]);
    expect(second.logs().map((log) => log.reference_id)).toEqual(['kept']);
    await call(second, 'POST', '/v4/logs', model({ reference_id: 'after' }));
    await second.close();

    warnings = [];
    const third = await start();
    expect(third.logs().map((log) => log.reference_id)).toEqual(['kept', 'after']);
    expect(warnings).toEqual([expect.stringContaining('skipped 4 line(s)')]);
  });

  it('starts empty from a missing file, and refuses to start on a path that is a directory', async () => {
    const server = await start();
    expect(server.logCount()).toBe(0);
    await expect(start({ dataFile: dir })).rejects.toThrow();
  });

  it('stops appending at the size bound with one warning, and keeps serving from memory', async () => {
    writeFileSync(file, '');
    const server = await start({ dataMaxBytes: 700 });
    for (let i = 0; i < 6; i++) await call(server, 'POST', '/v4/logs', model({ reference_id: `r${i}`, output: 'x'.repeat(100) }));
    await server.close();
    expect(server.logCount()).toBe(6);
    expect(warnings).toEqual([expect.stringMatching(/reached its size bound of 700 bytes: new logs are kept in memory only/)]);
    expect(statSync(file).size).toBeLessThanOrEqual(700);
    const restarted = await start({ dataMaxBytes: 700 });
    const kept = restarted.logs().length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(6);
  });
});
