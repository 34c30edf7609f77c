import { SamplingDecision, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type Sampler } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HumanloopSpanProcessor,
  type HumanloopSpanExporter,
  type HumanloopSpanExporterOptions,
  type SpanQueueOptions,
} from '../src/index.js';
import { startTestLogServer, type StoredLog, type StoredV5Log, type TestLogServer } from 'humanloop-log-server/testing';
import { FakeClock } from './helpers/fake-clock.js';
import { API_KEY, captureDiag } from './helpers/harness.js';
import { CHAT_ATTRIBUTES, startSpan } from './helpers/spans.js';
import { until } from './helpers/until.js';

/**
 * HumanloopSpanProcessor tells the exporter of span starts, so that children neither wait for
 * an ancestor that will never be exported nor skip one that will. The fake clock is never
 * advanced here: a log that is delivered was not released by `parentWaitMillis` running out.
 */

const AGENT: Attributes = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'a', 'gen_ai.request.model': 'gpt-4o' };
const WORKFLOW: Attributes = { 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.workflow.name': 'support' };

interface Rig {
  tracer: Tracer;
  server: TestLogServer;
  exporter: HumanloopSpanExporter;
  provider: BasicTracerProvider;
}

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.provider.shutdown();
  await rig?.server.close();
  rig = undefined;
});

/** A real provider with the processor (batches every 10 ms unless `batch` says otherwise), on a fake clock. */
async function setup({
  sampler,
  batch,
  openParentsEarly,
  api,
}: { sampler?: Sampler; batch?: SpanQueueOptions; openParentsEarly?: boolean; api?: 'v4' | 'v5' } = {}): Promise<Rig> {
  const server = await startTestLogServer({ apiKey: API_KEY, api });
  const processor = new HumanloopSpanProcessor(
    { api, apiKey: API_KEY, baseUrl: server.url, parentWaitMillis: 10_000, openParentsEarly, batch: { scheduledDelayMillis: 10, ...batch } },
    { clock: new FakeClock(), random: () => 0.5, env: {} },
  );
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'processor' }),
    ...(sampler ? { sampler } : {}),
    spanProcessors: [processor],
  });
  rig = { tracer: provider.getTracer('processor'), server, exporter: processor.exporter, provider };
  return rig;
}

/** Samples every span but the one named `agent`, which gets `decision`. */
function samplerSkippingAgent(decision: SamplingDecision): Sampler {
  return {
    shouldSample: (_context, _traceId, name) => ({
      decision: name === 'agent' ? decision : SamplingDecision.RECORD_AND_SAMPLED,
    }),
    toString: () => 'all but agent',
  };
}

function logOf(r: Rig, span: Span): StoredLog | undefined {
  return r.server.logs().find((log) => log.reference_id === span.spanContext().spanId);
}

/** Nothing was ever sent for the span: no log, placeholder or not, and no completion. */
function expectNothingSentFor(r: Rig, span: Span): void {
  expect(logOf(r, span), `a log of ${span.spanContext().spanId}`).toBeUndefined();
  const completions = r.server.requests().filter((request) => request.method === 'PATCH' && request.path.includes(span.spanContext().spanId));
  expect(completions, `PATCH requests for ${span.spanContext().spanId}`).toEqual([]);
}

function expectNothingHeld(r: Rig): void {
  expect(r.exporter.stats()).toMatchObject({ runningSpans: 0, waitingLogs: 0 });
}

describe('spans the processor does not export', () => {
  // Defect: a span the sampler does not record never reaches the processor; its children wait parentWaitMillis for it.
  it('does not hold the children of a span the sampler drops', async () => {
    const r = await setup({ sampler: samplerSkippingAgent(SamplingDecision.NOT_RECORD) });
    const agent = startSpan(r.tracer, 'agent', AGENT);
    const chat = startSpan(r.tracer, 'chat', CHAT_ATTRIBUTES, agent);
    chat.end();
    await until(() => logOf(r, chat) !== undefined, 'the chat log, without waiting parentWaitMillis');
    expect(logOf(r, chat)?.parent_reference_id, 'the parent of the chat log').toBeUndefined();
    agent.end();
    await r.provider.forceFlush();
    expectNothingSentFor(r, agent);
    expectNothingHeld(r);
  });

  // Defect: a record-only span (started, never exported) is taken as running: its children wait, then it gets a placeholder.
  it('links the children of a record-only span past it, at once, and sends it no placeholder', async () => {
    const r = await setup({ sampler: samplerSkippingAgent(SamplingDecision.RECORD) });
    const workflow = startSpan(r.tracer, 'workflow', WORKFLOW);
    const agent = startSpan(r.tracer, 'agent', AGENT, workflow);
    const chat = startSpan(r.tracer, 'chat', CHAT_ATTRIBUTES, agent);
    chat.end();
    agent.end();
    workflow.end();
    await until(() => logOf(r, chat) !== undefined, 'the chat log, without waiting parentWaitMillis');
    expect(logOf(r, chat)).toMatchObject({
      parent_reference_id: workflow.spanContext().spanId,
      trace_parent_id: logOf(r, workflow)?.id,
    });
    await r.provider.forceFlush();
    expectNothingSentFor(r, agent);
    expectNothingHeld(r);
  });

  // Defect: a span dropped by the batch processor's full queue is taken as running: it gets a placeholder and is never completed.
  it('sends no placeholder for a span the full queue dropped, and counts the drop', async () => {
    // Parents opened only when waited for: the agent is not logged before it is dropped.
    const r = await setup({ batch: { maxQueueSize: 2, scheduledDelayMillis: 60_000 }, openParentsEarly: false });
    // Every request is slow: the processor hands over batches of two until four exports are in
    // flight (its limit), and then the queue fills.
    r.server.inject({ delayMillis: 300 }, Infinity);
    const agent = startSpan(r.tracer, 'agent', AGENT);
    for (let i = 0; i < 8; i++) startSpan(r.tracer, `filler ${i}`, CHAT_ATTRIBUTES).end();
    const chat = startSpan(r.tracer, 'chat', CHAT_ATTRIBUTES, agent);
    chat.end();
    startSpan(r.tracer, 'third', CHAT_ATTRIBUTES).end();
    agent.end(); // The queue holds `chat` and `third`: the agent is dropped.
    await r.provider.forceFlush();
    expect(logOf(r, chat), 'the chat log').toBeDefined();
    expect(logOf(r, chat)?.parent_reference_id, 'the parent of the chat log').toBeUndefined();
    expectNothingSentFor(r, agent);
    expectNothingHeld(r);
    // `queue_full`: a drop reason for spans the processor's queue dropped.
    const dropped: Record<string, number | undefined> = r.exporter.stats().spans.dropped;
    expect(dropped.queue_full).toBe(1);
  });
});

describe('a parent opened when its first child started', () => {
  it('is completed even when the full queue drops its end', async () => {
    const r = await setup({ batch: { maxQueueSize: 2, scheduledDelayMillis: 60_000 } });
    r.server.inject({ delayMillis: 300 }, Infinity);
    const agent = startSpan(r.tracer, 'agent', AGENT);
    const chat = startSpan(r.tracer, 'chat', CHAT_ATTRIBUTES, agent);
    for (let i = 0; i < 8; i++) startSpan(r.tracer, `filler ${i}`, CHAT_ATTRIBUTES).end();
    chat.end();
    startSpan(r.tracer, 'third', CHAT_ATTRIBUTES).end();
    agent.end(); // The queue is full: the agent's end is not queued, but its opened log is completed.
    await r.provider.forceFlush();
    expect(logOf(r, agent), 'the agent log').toMatchObject({ metadata: { placeholder: true }, duration: expect.any(Number) });
    expect(logOf(r, chat)?.parent_reference_id, 'the parent of the chat log').toBe(agent.spanContext().spanId);
    expect(r.server.requests().filter((request) => request.method === 'PATCH').map((request) => request.status)).toEqual([200]);
    expect(r.exporter.stats().spans.dropped.queue_full).toBeUndefined();
    expectNothingHeld(r);
  });
});

describe('a v5 flow opened when its first child started', () => {
  const v5LogOf = (r: Rig, span: Span): StoredV5Log | undefined =>
    r.server.v5Logs().find((log) => (log.metadata as { otel?: { span_id?: string } } | undefined)?.otel?.span_id === span.spanContext().spanId);

  it('is created incomplete, takes its children by id while it runs, and is completed when it ends', async () => {
    const r = await setup({ api: 'v5' });
    const agent = startSpan(r.tracer, 'agent', AGENT);
    const chat = startSpan(r.tracer, 'chat', CHAT_ATTRIBUTES, agent);
    chat.end();
    await until(() => v5LogOf(r, chat) !== undefined, 'the chat log while the agent runs');
    const flow = v5LogOf(r, agent);
    expect(flow, 'the agent flow log, opened for its child').toMatchObject({ type: 'flow', log_status: 'incomplete' });
    expect(v5LogOf(r, chat)).toMatchObject({ type: 'prompt', trace_parent_id: flow?.id });

    agent.end();
    await r.provider.forceFlush();
    expect(v5LogOf(r, agent)).toMatchObject({ id: flow?.id, log_status: 'complete' });
    const patches = r.server.requests().filter((request) => request.method === 'PATCH');
    expect(patches.map((request) => [request.path, request.status])).toEqual([[`/v5/flows/logs/${flow?.id}`, 200]]);
    expect(r.server.requests().every((request) => request.status === 200)).toBe(true);
    expectNothingHeld(r);
  });

  // Defect: the flow's end came first in the export (parents first), so it was completed before its
  // children were logged, and each child was refused under a complete flow and resent as a root.
  it('is completed after its children when they all end within one export', async () => {
    const r = await setup({ api: 'v5', batch: { scheduledDelayMillis: 60_000 } });
    const agent = startSpan(r.tracer, 'agent', AGENT);
    const chat = startSpan(r.tracer, 'chat', CHAT_ATTRIBUTES, agent);
    // The flow log is delivered (the exporter's flush waits for what is in flight) while both run.
    await r.exporter.forceFlush();
    expect(v5LogOf(r, agent), 'the agent flow log, opened for its child').toMatchObject({ log_status: 'incomplete' });
    chat.end();
    agent.end();
    await r.provider.forceFlush();
    const flowId = v5LogOf(r, agent)?.id;
    expect(v5LogOf(r, chat)?.trace_parent_id, 'the parent of the chat log').toBe(flowId);
    expect(r.server.requests().map((request) => `${request.method} ${request.path} ${request.status}`)).toEqual([
      'POST /v5/flows/log 200',
      'POST /v5/prompts/log 200',
      `PATCH /v5/flows/logs/${flowId} 200`,
    ]);
    expectNothingHeld(r);
  });

  // A child names its parent by the id the parent's create returned, and a complete flow takes no
  // children: the flow goes first, incomplete, and is completed once its children are logged.
  it('is completed after its children are logged, even when they ended before it was sent', async () => {
    const r = await setup({ api: 'v5', openParentsEarly: false });
    const agent = startSpan(r.tracer, 'agent', AGENT);
    const chat = startSpan(r.tracer, 'chat', CHAT_ATTRIBUTES, agent);
    chat.end();
    agent.end();
    await r.provider.forceFlush();
    expect(v5LogOf(r, agent)).toMatchObject({ type: 'flow', log_status: 'complete' });
    expect(v5LogOf(r, chat)?.trace_parent_id).toBe(v5LogOf(r, agent)?.id);
    const flowId = v5LogOf(r, agent)?.id;
    expect(r.server.requests().map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /v5/flows/log',
      'POST /v5/prompts/log',
      `PATCH /v5/flows/logs/${flowId}`,
    ]);
    expectNothingHeld(r);
  });
});

describe('a v5 child that ends after its parent flow was completed', () => {
  it('is refused under the complete flow and logged as a root, saying so', async () => {
    const r = await setup({ api: 'v5' });
    const agent = startSpan(r.tracer, 'agent', AGENT);
    const chat = startSpan(r.tracer, 'chat', CHAT_ATTRIBUTES, agent);
    agent.end();
    await r.provider.forceFlush();
    chat.end();
    await r.provider.forceFlush();
    const logs = r.server.v5Logs();
    expect(logs.map((log) => [log.type, log.log_status, log.trace_parent_id])).toEqual([
      ['flow', 'complete', undefined],
      ['prompt', undefined, undefined],
    ]);
    expect(logs[1]?.metadata).toMatchObject({ refused_fields: ['trace_parent_id'] });
    expect(r.exporter.stats().spans).toMatchObject({ seen: 2, delivered: 2, dropped: {} });
  });
});

describe('a span classified when it starts', () => {
  // Defect: GenAI attributes set right after startSpan come too late: the span is taken as not exported and skipped.
  it('is the parent of its children when its attributes are set after it started', async () => {
    const r = await setup();
    const agent = r.tracer.startSpan('agent');
    agent.setAttributes(AGENT);
    const chat = startSpan(r.tracer, 'chat', CHAT_ATTRIBUTES, agent);
    chat.end();
    await until(() => r.exporter.stats().spans.seen === 1, 'the chat span exported');
    agent.end();
    await until(() => r.server.logs().length === 2, 'the agent and chat logs');
    expect(logOf(r, chat)?.parent_reference_id, 'the parent of the chat log').toBe(agent.spanContext().spanId);
    expect(logOf(r, chat)?.trace_parent_id, 'the parent log id of the chat log').toBe(logOf(r, agent)?.id);
  });
});

describe('forceFlush() and shutdown()', () => {
  /** A processor on a fake clock (for backoff) whose provider makes one agent trace. */
  function traced(options: HumanloopSpanExporterOptions) {
    const clock = new FakeClock();
    const processor = new HumanloopSpanProcessor({ batch: { scheduledDelayMillis: 60_000 }, ...options }, { clock, random: () => 0.5, env: {} });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('never-rejects');
    const agent = startSpan(tracer, 'agent', AGENT);
    startSpan(tracer, 'chat', CHAT_ATTRIBUTES, agent).end();
    agent.end();
    return { processor, provider, clock };
  }

  async function closedPortUrl(): Promise<string> {
    const server = await startTestLogServer({ apiKey: API_KEY });
    await server.close();
    return server.url;
  }

  it.each([
    ['no API key', () => Promise.resolve({})],
    ['a refused API key', async () => (rig = await setup(), { apiKey: 'wrong-key', baseUrl: rig.server.url })],
    ['a server that refuses connections', async () => ({ apiKey: API_KEY, baseUrl: await closedPortUrl() })],
  ])('resolve with %s, and shutdown ends soon after', async (_case, options) => {
    const diagnostics = captureDiag();
    try {
      const { processor, provider, clock } = traced(await options());
      const started = clock.now();
      await expect(provider.forceFlush()).resolves.toBeUndefined();
      await expect(provider.shutdown()).resolves.toBeUndefined();
      // Tried for a few seconds (of the fake clock), not the export deadline of 25.
      expect(clock.now() - started).toBeLessThanOrEqual(10_000);
      const { spans } = processor.exporter.stats();
      expect(spans.delivered).toBe(0);
      expect(diagnostics.messages.filter((message) => message.includes('Humanloop')).length).toBeGreaterThan(0);
    } finally {
      diagnostics.restore();
    }
  });

  it('spool what a server refusing connections kept them from sending', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-processor-'));
    try {
      const { processor, provider } = traced({ apiKey: API_KEY, baseUrl: await closedPortUrl(), spoolDir: dir });
      await provider.shutdown();
      expect(processor.exporter.stats().spans).toMatchObject({ seen: 2, spooled: 2 });
      expect(readdirSync(dir).filter((name) => name.endsWith('.ndjson')).length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
