import { ROOT_CONTEXT, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ExportResultCode } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  HumanloopSpanExporter,
  HumanloopSpanProcessor,
  type ExporterInternals,
  type HumanloopSpanExporterOptions,
} from '../src/index.js';
import { startTestLogServer, type TestLogServer, type StoredLog } from 'humanloop-log-server/testing';
import { FakeClock } from './helpers/fake-clock.js';
import { API_KEY } from './helpers/harness.js';
import { bySpanName } from './helpers/logs.js';
import { CHAT_ATTRIBUTES, startSpan } from './helpers/spans.js';
import { until } from './helpers/until.js';

const PARENT_WAIT = 10_000;
const AGENT = (name: string): Attributes => ({
  'gen_ai.operation.name': 'invoke_agent',
  'gen_ai.agent.name': name,
  'gen_ai.request.model': 'gpt-4o',
});
const TOOL: Attributes = { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' };
const WORKFLOW: Attributes = { 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.workflow.name': 'support' };
const HTTP: Attributes = { 'http.request.method': 'POST', 'http.route': '/chat' };

interface Rig {
  tracer: Tracer;
  server: TestLogServer;
  clock: FakeClock;
  exporter: HumanloopSpanExporter;
  provider: BasicTracerProvider;
  allSpans: () => ReadableSpan[];
}

let rig: Rig | undefined;

afterEach(async () => {
  await rig?.provider.shutdown();
  // An exporter the test calls by hand is not the provider's to shut down.
  await rig?.exporter.shutdown();
  await rig?.server.close();
  rig = undefined;
});

type Connect = (
  options: HumanloopSpanExporterOptions,
  internals: ExporterInternals,
) => { exporter: HumanloopSpanExporter; processor?: SpanProcessor };

/**
 * A local server, an exporter pointed at it on a fake clock (for its own waiting), and a real
 * provider that records every span and hands them to `processor` when `connect` gives one.
 */
async function startRig(options: HumanloopSpanExporterOptions, connect: Connect): Promise<Rig> {
  const server = await startTestLogServer({ apiKey: API_KEY });
  const clock = new FakeClock();
  const { exporter, processor } = connect(
    { apiKey: API_KEY, baseUrl: server.url, parentWaitMillis: PARENT_WAIT, ...options },
    { clock, random: () => 0.5, env: {} },
  );
  const all = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'structure' }),
    spanProcessors: [new SimpleSpanProcessor(all), ...(processor ? [processor] : [])],
  });
  rig = { tracer: provider.getTracer('structure'), server, clock, exporter, provider, allSpans: () => all.getFinishedSpans() };
  return rig;
}

/**
 * How spans reach the exporter: `batch`, through a real BatchSpanProcessor (exporting every
 * 10 ms); `early` and `late`, through HumanloopSpanProcessor, which also reports span starts and
 * opens a parent when its first child starts (`early`, its default) or when a child has waited
 * long enough for it (`late`).
 */
type Mode = 'batch' | 'late' | 'early';

function setup(mode: Mode, options: HumanloopSpanExporterOptions = {}): Promise<Rig> {
  return startRig(options, (exporterOptions, internals) => {
    if (mode !== 'batch') {
      const processorOptions = { ...exporterOptions, openParentsEarly: mode === 'early', batch: { scheduledDelayMillis: 10 } };
      const processor = new HumanloopSpanProcessor(processorOptions, internals);
      return { exporter: processor.exporter, processor };
    }
    const exporter = new HumanloopSpanExporter(exporterOptions, internals);
    return { exporter, processor: new BatchSpanProcessor(exporter, { scheduledDelayMillis: 10 }) };
  });
}

/** The provider only records spans: the test hands them to the exporter itself. */
function setupByHand(options: HumanloopSpanExporterOptions = {}): Promise<Rig> {
  return startRig(options, (exporterOptions, internals) => ({ exporter: new HumanloopSpanExporter(exporterOptions, internals) }));
}

function expectTreeOf(r: Rig, exportedNames: string[]): Map<string, StoredLog> {
  const logs = r.server.logs();
  const spans = r.allSpans();
  const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
  const exported = new Set(spans.filter((span) => exportedNames.includes(span.name)).map((s) => s.spanContext().spanId));
  expect(new Set(logs.map((log) => log.reference_id))).toEqual(exported);
  expect(logs).toHaveLength(exported.size);
  for (const log of logs) {
    let ancestor = byId.get(log.reference_id!)?.parentSpanContext?.spanId;
    while (ancestor && !exported.has(ancestor)) ancestor = byId.get(ancestor)?.parentSpanContext?.spanId;
    expect(log.parent_reference_id).toBe(ancestor);
    const parentLog = logs.find((candidate) => candidate.reference_id === ancestor);
    if (parentLog) {
      expect(log.trace_parent_id).toBe(parentLog.id);
      expect(log.session_reference_id).toBe(parentLog.session_reference_id);
    }
  }
  return bySpanName(logs);
}

function everyRequestAccepted(r: Rig): void {
  expect(r.server.requests().filter((request) => request.status !== 200)).toEqual([]);
}

describe.each(['batch', 'late', 'early'] as const)('trace structure (spans %s)', (mode) => {
  const withStarts = mode !== 'batch';

  it('nests an agent’s tool and LLM children, which end before it, under the agent’s log', async () => {
    const r = await setup(mode);
    const agent = startSpan(r.tracer, 'agent', AGENT('helper'));
    startSpan(r.tracer, 'chat', CHAT_ATTRIBUTES, agent).end();
    startSpan(r.tracer, 'tool', TOOL, agent).end();
    if (mode === 'early') {
      // The agent is logged when its first child starts; the children follow as they end.
      await until(() => r.server.logs().length === 3, 'the agent opened, its children under it');
    } else {
      await until(() => r.exporter.stats().waitingLogs === 2, 'children held');
      expect(r.server.logs()).toHaveLength(0);
    }
    agent.end();
    await until(() => r.server.logs().length === 3 && r.exporter.stats().spans.delivered === 3, 'three logs');
    expectTreeOf(r, ['agent', 'chat', 'tool']);
    everyRequestAccepted(r);
  });

  it('nests a three-level chain under an HTTP span that is not exported', async () => {
    const r = await setup(mode);
    const http = startSpan(r.tracer, 'POST /chat', HTTP);
    const workflow = startSpan(r.tracer, 'workflow', WORKFLOW, http);
    const agent = startSpan(r.tracer, 'agent', AGENT('helper'), workflow);
    const db = startSpan(r.tracer, 'SELECT', { 'db.system': 'postgresql' }, agent);
    startSpan(r.tracer, 'chat', CHAT_ATTRIBUTES, db).end();
    db.end();
    agent.end();
    workflow.end();
    if (withStarts) {
      // The processor saw the HTTP span start and knows it is not exported: the chain goes out before it ends.
      await until(() => r.server.logs().length === 3, 'the chain sent while its HTTP parent runs');
    } else {
      // Without span starts the HTTP span might yet be an LLM span: the whole chain waits for it.
      await until(() => r.exporter.stats().spans.seen === 4 && r.exporter.stats().waitingLogs === 3, 'the chain held');
      expect(r.server.requests()).toHaveLength(0);
    }
    http.end();
    await until(() => r.server.logs().length === 3, 'three logs');
    const logs = expectTreeOf(r, ['workflow', 'agent', 'chat']);
    expect(logs.get('workflow')?.parent_reference_id).toBeUndefined();
    expect(logs.get('workflow')?.session_reference_id).toBe(http.spanContext().traceId);
    everyRequestAccepted(r);
  });

  it('sends at once, as a root, a span whose parent came from another process', async () => {
    const r = await setup(mode);
    const remote = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true };
    const chat = r.tracer.startSpan('chat', { attributes: CHAT_ATTRIBUTES }, trace.setSpanContext(ROOT_CONTEXT, remote));
    chat.end();
    // The fake clock is never advanced: the log does not wait parentWaitMillis for a span this process never logs.
    await until(() => r.server.logs().length === 1, 'the chat log');
    expect(r.server.logs()[0]).toMatchObject({
      reference_id: chat.spanContext().spanId,
      session_reference_id: remote.traceId,
      metadata: { otel: { parent_span_id: remote.spanId } },
    });
    expect(r.server.logs()[0]).not.toHaveProperty('parent_reference_id');
  });

  it('keeps two interleaved traces apart', async () => {
    const r = await setup(mode);
    const a = startSpan(r.tracer, 'agent A', AGENT('a'));
    const b = startSpan(r.tracer, 'agent B', AGENT('b'));
    startSpan(r.tracer, 'chat A1', CHAT_ATTRIBUTES, a).end();
    startSpan(r.tracer, 'chat B1', CHAT_ATTRIBUTES, b).end();
    startSpan(r.tracer, 'chat A2', CHAT_ATTRIBUTES, a).end();
    b.end();
    startSpan(r.tracer, 'tool A', TOOL, a).end();
    a.end();
    await until(() => r.server.logs().length === 6, 'six logs');
    const logs = expectTreeOf(r, ['agent A', 'agent B', 'chat A1', 'chat B1', 'chat A2', 'tool A']);
    expect(logs.get('chat B1')?.session_reference_id).toBe(b.spanContext().traceId);
    expect(logs.get('tool A')?.session_reference_id).toBe(a.spanContext().traceId);
    everyRequestAccepted(r);
  });

  it('links the children of a parent the API refuses (422) to the nearest delivered ancestor', async () => {
    const r = await setup(mode, {
      // The server refuses the agent's log: its model is empty.
      redact: (log) => (log.config.type === 'agent' ? { ...log, config: { ...log.config, agent_class: '' } } : log),
    });
    const workflow = startSpan(r.tracer, 'workflow', WORKFLOW);
    const agent = startSpan(r.tracer, 'agent', AGENT('bad'), workflow);
    startSpan(r.tracer, 'chat', CHAT_ATTRIBUTES, agent).end();
    agent.end();
    workflow.end();
    await until(() => r.server.logs().length === 2 && r.exporter.stats().spans.dropped.invalid === 1, 'two logs');
    const logs = bySpanName(r.server.logs());
    expect(logs.get('chat')?.parent_reference_id).toBe(workflow.spanContext().spanId);
    expect(logs.get('chat')?.trace_parent_id).toBe(logs.get('workflow')?.id);
    // Opened early, the agent is refused twice: its placeholder, then its whole log when it ends.
    const refusals = r.server.requests().map((request) => request.status).filter((status) => status !== 200);
    expect(refusals).toEqual(mode === 'early' ? [422, 422] : [422]);
  });

  it('sends what waits when the provider shuts down with a parent still running', async () => {
    const r = await setup(mode);
    const agent = startSpan(r.tracer, 'agent', AGENT('forever'));
    startSpan(r.tracer, 'chat', CHAT_ATTRIBUTES, agent).end();
    if (mode === 'early') await until(() => r.server.logs().length === 2, 'the agent opened, its child under it');
    else await until(() => r.exporter.stats().waitingLogs === 1, 'child held');
    await r.provider.shutdown();
    const logs = r.server.logs();
    const chat = logs.find((log) => log.reference_id !== agent.spanContext().spanId);
    if (withStarts) {
      // The running agent is logged as a placeholder; the child hangs under it.
      expect(logs).toHaveLength(2);
      expect(chat?.parent_reference_id).toBe(agent.spanContext().spanId);
      expect(logs.find((log) => log.reference_id === agent.spanContext().spanId)?.metadata?.placeholder).toBe(true);
    } else {
      expect(logs).toHaveLength(1);
      expect(chat?.parent_reference_id).toBeUndefined();
    }
    everyRequestAccepted(r);
  });
});

describe('an agent that runs longer than parentWaitMillis', () => {
  it('is logged as a placeholder so its children can go, then completed by update_by_ref', async () => {
    const r = await setup('late');
    const agent = startSpan(r.tracer, 'agent', AGENT('slow'));
    startSpan(r.tracer, 'chat', CHAT_ATTRIBUTES, agent).end();
    await until(() => r.exporter.stats().waitingLogs === 1, 'child held');
    r.clock.advance(PARENT_WAIT);
    await until(() => r.server.logs().length === 2, 'placeholder and child');
    const placeholder = r.server.logs()[0];
    expect(placeholder).toMatchObject({ reference_id: agent.spanContext().spanId, metadata: { placeholder: true } });
    expect(placeholder).not.toHaveProperty('output');
    expect(placeholder).not.toHaveProperty('duration');
    expect(r.server.logs()[1]?.parent_reference_id).toBe(agent.spanContext().spanId);

    agent.setAttribute(
      'gen_ai.output.messages',
      JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'All done.' }] }]),
    );
    agent.end();
    await until(() => r.server.requests().some((request) => request.method === 'PATCH'), 'the completion');
    const patch = r.server.requests().find((request) => request.method === 'PATCH')!;
    expect(patch.path).toBe(`/v4/logs?reference_id=${agent.spanContext().spanId}`);
    expect(patch.status).toBe(200);
    const completed = r.server.logs().find((log) => log.reference_id === agent.spanContext().spanId);
    expect(completed).toMatchObject({ output: 'All done.', duration: expect.any(Number) });
    expect(r.server.logs()).toHaveLength(2);
    everyRequestAccepted(r);
  });

  it('never waits for an ancestor the processor knows will not be sent', async () => {
    const r = await setup('early');
    const http = startSpan(r.tracer, 'POST /chat', HTTP);
    startSpan(r.tracer, 'chat', CHAT_ATTRIBUTES, http).end();
    await until(() => r.server.logs().length === 1, 'the chat log, at once');
    expect(r.server.logs()[0]?.parent_reference_id).toBeUndefined();
    http.end();
  });
});

describe('memory bounds', () => {
  it('keeps 10 000 traces whose roots never end within maxWaitingLogs and maxTrackedSpans', async () => {
    const r = await setup('late', { maxWaitingLogs: 500, maxTrackedSpans: 2_000 });
    for (let i = 0; i < 10_000; i++) {
      const root = startSpan(r.tracer, 'agent', AGENT(`a${i}`));
      startSpan(r.tracer, 'chat', CHAT_ATTRIBUTES, root).end();
      if (i % 1000 === 999) {
        // Let the batch processor keep up: its queue (2 048 spans) is not what this test measures.
        await until(() => r.exporter.stats().queuedLogs === 0 && r.server.logCount() >= i - 600, 'the batch processor');
        const stats = r.exporter.stats();
        expect(stats.waitingLogs).toBeLessThanOrEqual(500);
        expect(stats.trackedSpans).toBeLessThanOrEqual(2_000);
        expect(stats.runningSpans).toBeLessThanOrEqual(2_000);
      }
    }
    expect(r.server.logCount()).toBeGreaterThanOrEqual(9_400);
    // Flushing releases what still waits: placeholders for the roots still remembered, roots otherwise.
    await r.provider.forceFlush();
    const chats = r.server.logs().filter((log) => log.config.type === 'model');
    expect(new Set(chats.map((log) => log.reference_id)).size).toBe(10_000);
    expect(chats).toHaveLength(10_000);
    expect(r.exporter.stats().waitingLogs).toBe(0);
    everyRequestAccepted(r);
  });
});

describe('a large backlog flushed at once', () => {
  it('keeps every child nested even with few waiting slots, since a batch is read parents first', async () => {
    const r = await startRig({ maxWaitingLogs: 50 }, (options, internals) => {
      const exporter = new HumanloopSpanExporter(options, internals);
      return { exporter, processor: new BatchSpanProcessor(exporter, { maxQueueSize: 10_000, scheduledDelayMillis: 60_000 }) };
    });
    for (let t = 0; t < 300; t++) {
      const agent = startSpan(r.tracer, 'agent', AGENT(`a${t}`));
      for (let c = 0; c < 9; c++) startSpan(r.tracer, 'chat', CHAT_ATTRIBUTES, agent).end();
      agent.end();
    }
    // Six batches of 512 exported at once, each with children before their parents.
    await r.provider.forceFlush();
    await r.exporter.forceFlush();
    expect(r.server.logCount()).toBe(3_000);
    const byId = new Map(r.allSpans().map((span) => [span.spanContext().spanId, span]));
    for (const log of r.server.logs()) {
      expect(log.parent_reference_id).toBe(byId.get(log.reference_id!)?.parentSpanContext?.spanId);
    }
    everyRequestAccepted(r);
  });
});

describe('a large export, worked through in slices', () => {
  /** Spans of one export through a real provider, then exported in one call, as a batch processor would. */
  async function exportAtOnce(build: (tracer: Tracer) => void): Promise<{ server: TestLogServer; exporter: HumanloopSpanExporter; spans: ReadableSpan[] }> {
    const { server, exporter, tracer, allSpans } = await setupByHand();
    build(tracer);
    const spans = allSpans();
    const result = await new Promise((resolve) => exporter.export(spans, resolve));
    expect(result).toEqual({ code: ExportResultCode.SUCCESS });
    return { server, exporter, spans };
  }

  it('sends the parents first, in a request of their own, and each child after its parent', async () => {
    const { server, exporter, spans } = await exportAtOnce((tracer) => {
      for (let t = 0; t < 30; t++) {
        const agent = startSpan(tracer, 'agent', AGENT(`a${t}`));
        for (let c = 0; c < 4; c++) startSpan(tracer, c % 2 ? 'tool' : 'chat', c % 2 ? TOOL : CHAT_ATTRIBUTES, agent).end();
        agent.end();
      }
    });
    expect(spans).toHaveLength(150);
    const logs = server.logs();
    expect(logs).toHaveLength(150);
    const agents = new Set(spans.filter((span) => span.name === 'agent').map((span) => span.spanContext().spanId));
    const firstRequest = logs.filter((log) => log.request_index === logs[0].request_index);
    expect(new Set(firstRequest.map((log) => log.reference_id))).toEqual(agents);
    const byReference = new Map(logs.map((log) => [log.reference_id, log]));
    for (const log of logs.filter((candidate) => !agents.has(candidate.reference_id!))) {
      const parent = byReference.get(log.parent_reference_id);
      expect(parent && agents.has(parent.reference_id!)).toBe(true);
      expect(log.trace_parent_id).toBe(parent?.id);
      expect(log.request_index).toBeGreaterThan(parent!.request_index);
    }
    expect(exporter.stats().spans).toMatchObject({ seen: 150, delivered: 150 });
  });

  it('sends the parents while the rest is still being mapped, and the rest in full requests', async () => {
    const mappedAt: number[] = [];
    const r = await setupByHand({ spanFilter: () => mappedAt.push(performance.now()) > 0 });
    for (let t = 0; t < 40; t++) {
      const agent = startSpan(r.tracer, 'agent', AGENT(`a${t}`));
      for (let c = 0; c < 14; c++) startSpan(r.tracer, 'chat', CHAT_ATTRIBUTES, agent).end();
      agent.end();
    }
    const spans = r.allSpans();
    expect(await new Promise((resolve) => r.exporter.export(spans, resolve))).toEqual({ code: ExportResultCode.SUCCESS });
    const [parents, ...children] = r.server.requests();
    expect(parents?.itemCount, 'the agents').toBe(40);
    expect(parents.receivedAt, 'the agents reached the server before the last span was mapped').toBeLessThan(mappedAt.at(-1)!);
    expect(children.map((request) => request.itemCount)).toEqual([500, 60]);
  });

  it('returns before reading any of it: a BatchSpanProcessor calls export() inside span.end()', async () => {
    let filtered = 0;
    const { server, exporter, tracer, allSpans } = await setupByHand({ spanFilter: () => ++filtered > 0 });
    for (let i = 0; i < 100; i++) startSpan(tracer, 'chat', CHAT_ATTRIBUTES).end();
    const spans = allSpans();
    let reads = 0;
    for (const span of spans) {
      const read = span.spanContext.bind(span);
      Object.defineProperty(span, 'spanContext', { value: () => (reads++, read()) });
    }
    const result = new Promise((resolve) => exporter.export(spans, resolve));
    expect({ reads, filtered }).toEqual({ reads: 0, filtered: 0 });
    expect(await result).toEqual({ code: ExportResultCode.SUCCESS });
    expect(reads).toBeGreaterThanOrEqual(100);
    expect(filtered).toBe(100);
    expect(server.logCount()).toBe(100);
  });

  it('is delivered whole, and called back once, when shutdown comes before it is mapped', async () => {
    const { server, exporter, tracer, allSpans } = await setupByHand();
    for (let t = 0; t < 40; t++) {
      const agent = startSpan(tracer, 'agent', AGENT(`a${t}`));
      for (let c = 0; c < 4; c++) startSpan(tracer, 'chat', CHAT_ATTRIBUTES, agent).end();
      agent.end();
    }
    const results: unknown[] = [];
    // Garbage among the spans is skipped, as in a small export.
    exporter.export([...allSpans(), null, 42] as never, (result) => results.push(result));
    await exporter.shutdown();
    expect(server.logCount()).toBe(200);
    expect(results).toEqual([{ code: ExportResultCode.SUCCESS }]);
    expect(exporter.stats().spans).toMatchObject({ seen: 202, delivered: 200, dropped: { mapping_error: 2 } });
  });

  it('folds each nested duplicate LLM call into the call around it', async () => {
    const { server, exporter, spans } = await exportAtOnce((tracer) => {
      for (let t = 0; t < 40; t++) {
        const outer = startSpan(tracer, 'outer chat', CHAT_ATTRIBUTES);
        startSpan(tracer, 'inner chat', CHAT_ATTRIBUTES, outer).end();
        outer.end();
        startSpan(tracer, 'lone chat', CHAT_ATTRIBUTES).end();
      }
    });
    const logs = server.logs();
    const outers = spans.filter((span) => span.name === 'outer chat');
    expect(logs).toHaveLength(80);
    for (const outer of outers) {
      const log = logs.find((candidate) => candidate.reference_id === outer.spanContext().spanId);
      const inner = spans.find((span) => span.parentSpanContext?.spanId === outer.spanContext().spanId);
      expect(log?.metadata?.merged_span_ids).toEqual([inner?.spanContext().spanId]);
    }
    expect(exporter.stats().spans).toMatchObject({ seen: 120, delivered: 80, merged: 40 });
  });
});
