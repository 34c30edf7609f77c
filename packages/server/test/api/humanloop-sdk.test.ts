/**
 * Humanloop's own TypeScript SDK (`humanloop` 0.8.20, its last release) reading and writing the
 * local log server, as it did Humanloop's hosted v5 API. The SDK parses answers leniently (a
 * wrong shape becomes a console warning and the raw body, or a ParseError for a union): so each
 * answer is also parsed here with the SDK's own serializers, strictly.
 */
import { ExportResultCode } from '@opentelemetry/core';
import { HumanloopClient, type Humanloop } from 'humanloop';
import * as serializers from 'humanloop/serialization/index.js';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { StoredV5Log, TestLogServer } from '../../src/testing/index.js';
import { loadFixture } from '../../../../test/helpers/fixtures.js';
import { API_KEY, startHarness } from '../../../../test/helpers/harness.js';
import { testScope } from '../../../../test/helpers/scope.js';

const scope = testScope();
let server: TestLogServer;
let hl: HumanloopClient;
let warnings: string[];

beforeEach(async () => {
  server = await scope.server({ api: 'v5' });
  hl = new HumanloopClient({ apiKey: API_KEY, baseUrl: server.url });
  warnings = [];
  // The SDK warns ("Failed to validate.") where it let a wrong shape through.
  const warn = vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void warnings.push(args.map(String).join(' ')));
  scope.defer(() => {
    warn.mockRestore();
    expect(warnings, 'the SDK found no answer of the wrong shape').toEqual([]);
  });
});

interface Strict<T> {
  parseOrThrow(raw: unknown, options: Record<string, unknown>): T;
}

/** Reads `path` under the server's v5 base URL and parses the answer with the SDK's serializer, failing on any mismatch. */
async function readStrictly<T>(schema: Strict<T>, path: string, baseUrl = server.url): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { 'x-api-key': API_KEY }, signal: AbortSignal.timeout(2_000) });
  expect(response.status).toBe(200);
  return schema.parseOrThrow(await response.json(), { unrecognizedObjectKeys: 'passthrough', skipValidation: false, breadcrumbsPrefix: ['response'] });
}

const promptKernel = {
  model: 'gpt-4o',
  provider: 'openai' as const,
  temperature: 0.2,
  template: [{ role: 'system' as const, content: 'Answer {{question}} in {{ language }}.' }],
};

describe('prompt and tool logs', () => {
  it('prompts.log then prompts.updateLog answer the log as written, with the prompt version it was logged to', async () => {
    const created = await hl.prompts.log({
      path: 'sdk/answer',
      prompt: promptKernel,
      messages: [{ role: 'user', content: 'Capital of France?' }],
      inputs: { question: 'Capital of France?', language: 'English' },
      promptTokens: 9,
    });
    expect(created).toEqual({ id: expect.any(String), promptId: expect.stringMatching(/^pr_/), versionId: expect.stringMatching(/^prv_/) });

    const updated = await hl.prompts.updateLog(created.promptId, created.id, { output: 'Paris', outputTokens: 1 });
    expect(updated).toMatchObject({
      id: created.id,
      output: 'Paris',
      promptTokens: 9,
      outputTokens: 1,
      messages: [{ role: 'user', content: 'Capital of France?' }],
      inputs: { question: 'Capital of France?', language: 'English' },
      evaluatorLogs: [],
      createdAt: expect.any(Date),
      prompt: {
        id: created.promptId,
        path: 'sdk/answer',
        name: 'answer',
        versionId: created.versionId,
        model: 'gpt-4o',
        provider: 'openai',
        temperature: 0.2,
        inputs: [{ name: 'question' }, { name: 'language' }],
        versionLogsCount: 1,
        totalLogsCount: 1,
        createdAt: expect.any(Date),
        updatedAt: expect.any(Date),
        lastUsedAt: expect.any(Date),
      },
    });
    const read = await readStrictly(serializers.PromptLogResponse, `/logs/${created.id}`);
    expect(read).toMatchObject({ id: created.id, output: 'Paris', prompt: { id: created.promptId, versionId: created.versionId } });
  });

  it('keeps one file per path and one version per kernel, counted in the log answers', async () => {
    const first = await hl.prompts.log({ path: 'sdk/answer', prompt: promptKernel, output: 'a' });
    const same = await hl.prompts.log({ path: 'sdk/answer', prompt: { ...promptKernel }, output: 'b' });
    const other = await hl.prompts.log({ path: 'sdk/answer', prompt: { ...promptKernel, temperature: 0.9 }, output: 'c' });
    expect([same.promptId, same.versionId]).toEqual([first.promptId, first.versionId]);
    expect([other.promptId, other.versionId === first.versionId]).toEqual([first.promptId, false]);
    const read = await hl.logs.get(first.id);
    expect(read).toMatchObject({ prompt: { versionId: first.versionId, versionLogsCount: 2, totalLogsCount: 3, temperature: 0.2 } });
    expect(await hl.logs.get(other.id)).toMatchObject({ prompt: { versionId: other.versionId, versionLogsCount: 1, temperature: 0.9 } });
  });

  it('tools.log then tools.update answer the tool log with its tool version', async () => {
    const tool = { function: { name: 'search', description: 'Searches the docs', parameters: { type: 'object' } } };
    const created = await hl.tools.log({ path: 'sdk/search', tool, inputs: { q: 'otel' } });
    expect(created).toEqual({ id: expect.any(String), toolId: expect.stringMatching(/^tl_/), versionId: expect.stringMatching(/^tlv_/) });
    const updated = await hl.tools.update(created.toolId, created.id, { output: '3 hits' });
    expect(updated).toMatchObject({
      id: created.id,
      output: '3 hits',
      inputs: { q: 'otel' },
      evaluatorLogs: [],
      tool: { id: created.toolId, path: 'sdk/search', name: 'search', versionId: created.versionId, function: tool.function },
    });
    await readStrictly(serializers.ToolLogResponse, `/logs/${created.id}`);
  });
});

describe('flows and traces', () => {
  it('flows.log takes children by trace_parent_id; flows.updateLog completes it; logs.get reads it with its trace children', async () => {
    const flow = await hl.flows.log({ path: 'sdk/agent', flow: { attributes: { team: 'qa' } }, logStatus: 'incomplete', inputs: { q: 'hi' } });
    expect(flow).toEqual({ id: expect.any(String), flowId: expect.stringMatching(/^fl_/), versionId: expect.stringMatching(/^flv_/), logStatus: 'incomplete' });
    const step = await hl.flows.log({ path: 'sdk/step', flow: { attributes: {} }, logStatus: 'incomplete', traceParentId: flow.id });
    const answer = await hl.prompts.log({ path: 'sdk/answer', prompt: promptKernel, output: 'hello', traceParentId: step.id });
    const search = await hl.tools.log({ path: 'sdk/search', tool: { function: { name: 'search', description: '' } }, output: '0 hits', traceParentId: flow.id });
    await hl.flows.updateLog(step.id, { logStatus: 'complete' });

    const done = await hl.flows.updateLog(flow.id, { logStatus: 'complete', output: 'bye' });
    expect(done).toMatchObject({
      id: flow.id,
      logStatus: 'complete',
      output: 'bye',
      inputs: { q: 'hi' },
      traceId: flow.id,
      traceFlowId: flow.flowId,
      evaluatorLogs: [],
      endTime: expect.any(Date),
      flow: { id: flow.flowId, path: 'sdk/agent', name: 'agent', versionId: flow.versionId, attributes: { team: 'qa' } },
    });

    const read = (await hl.logs.get(flow.id)) as Humanloop.FlowLogResponse;
    expect(read).toMatchObject({ id: flow.id, logStatus: 'complete', flow: { id: flow.flowId } });
    const children = read.traceChildren ?? [];
    expect(children.map((child) => child.id)).toEqual([step.id, search.id]);
    expect(children[0]).toMatchObject({ traceParentId: flow.id, traceId: flow.id, flow: { path: 'sdk/step' } });
    expect(children[1]).toMatchObject({ traceParentId: flow.id, output: '0 hits', tool: { id: search.toolId } });
    const grandchildren = (children[0] as Humanloop.FlowLogResponse).traceChildren ?? [];
    expect(grandchildren).toEqual([expect.objectContaining({ id: answer.id, output: 'hello', traceId: flow.id, traceFlowId: flow.flowId })]);
    expect(grandchildren[0]).toMatchObject({ prompt: { id: answer.promptId, versionId: answer.versionId } });

    const strict = await readStrictly(serializers.FlowLogResponse, `/logs/${flow.id}`);
    expect(strict.traceChildren?.map((child) => child.id)).toEqual([step.id, search.id]);
  });
});

describe('listing logs', () => {
  it('logs.list pages through a file\'s logs in the order written, and filters them', async () => {
    const written: string[] = [];
    for (let i = 0; i < 5; i++) {
      const log = await hl.prompts.log({ path: 'sdk/answer', prompt: promptKernel, output: `answer ${i}`, inputs: { n: i } });
      written.push(log.id);
      await hl.tools.log({ path: 'sdk/search', tool: { function: { name: 'search', description: '' } }, output: `hit ${i}` });
    }
    const fileId = server.v5Logs().find((log) => log.id === written[0])?.file_id ?? '';

    const first = await hl.logs.list({ fileId, size: 2 });
    expect(first.data.map((log) => log.id)).toEqual(written.slice(0, 2));
    const all: string[] = [];
    for await (const log of await hl.logs.list({ fileId, size: 2 })) all.push(log.id);
    expect(all).toEqual(written);

    const page = await readStrictly(serializers.PaginatedDataLogResponse, `/logs?file_id=${fileId}&size=2&page=3`);
    expect([page.page, page.size, page.total, page.records.map((log) => log.id)]).toEqual([3, 2, 5, written.slice(4)]);

    const found = await hl.logs.list({ fileId, search: 'answer 3' });
    expect(found.data.map((log) => log.id)).toEqual([written[3]]);
    const byId = await hl.logs.list({ fileId, id: [written[1] ?? '', written[4] ?? ''] });
    expect(byId.data.map((log) => log.id)).toEqual([written[1], written[4]]);
    const late = await hl.logs.list({ fileId, startDate: new Date(Date.now() + 60_000) });
    expect(late.data).toEqual([]);
  });
});

describe('logs written by the exporter', () => {
  it('are read back by logs.list and logs.get, nested as their spans were (captured agent spans, v5)', async () => {
    const harness = await startHarness({}, { api: 'v5' });
    scope.defer(() => harness.close());
    expect(await harness.exportAll(loadFixture('genai-agents').spans)).toEqual({ code: ExportResultCode.SUCCESS });
    await harness.exporter.forceFlush();
    const client = new HumanloopClient({ apiKey: API_KEY, baseUrl: harness.server.url });
    const stored = harness.server.v5Logs();
    expect(stored.length).toBeGreaterThan(3);

    for (const fileId of new Set(stored.map((log) => log.file_id))) {
      const listed: string[] = [];
      for await (const log of await client.logs.list({ fileId, size: 2 })) listed.push(log.id);
      expect(listed, fileId).toEqual(stored.filter((log) => log.file_id === fileId).map((log) => log.id));
    }
    for (const root of stored.filter((log) => log.trace_parent_id === undefined)) {
      expect(idTree(await client.logs.get(root.id))).toEqual(storedTree(stored, root.id));
      await readStrictly(serializers.LogResponse, `/logs/${root.id}`, harness.server.url);
    }
    const chat = stored.find((log) => log.type === 'prompt');
    const read = (await client.logs.get(chat?.id ?? '')) as Humanloop.PromptLogResponse;
    expect(read).toMatchObject({ id: chat?.id, traceParentId: chat?.trace_parent_id, output: chat?.output, prompt: { id: chat?.file_id, model: (chat?.prompt as { model: string }).model } });
    expect(read.messages).toEqual(chat?.messages);
  });
});

interface IdTree {
  id: string;
  children: IdTree[];
}

/** A log read by the SDK as its tree of ids. */
function idTree(log: Humanloop.LogResponse): IdTree {
  const children = (log as { traceChildren?: Humanloop.LogResponse[] }).traceChildren ?? [];
  return { id: log.id, children: children.map(idTree) };
}

/** The tree of ids under `id` as the server stored it. */
function storedTree(stored: StoredV5Log[], id: string): IdTree {
  return { id, children: stored.filter((log) => log.trace_parent_id === id).map((log) => storedTree(stored, log.id)) };
}
