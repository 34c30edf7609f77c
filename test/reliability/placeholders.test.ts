import type { Attributes, Span } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import type { HumanloopSpanExporterOptions, SpanCounts } from '../../src/index.js';
import { settledSpans, startHarness, type Harness } from '../helpers/harness.js';
import { secondCallbacks } from '../helpers/second-callbacks.js';
import { until } from '../helpers/until.js';
import { CHAT_ATTRIBUTES, recordSpans, startSpan } from '../helpers/spans.js';

/**
 * A placeholder is the log of an LLM span still running, sent so that its children need not
 * wait; the span's end completes it (PATCH). Whatever becomes of the placeholder, the export
 * that brings the span's end must call back, once, and the span must be counted once; a
 * placeholder that never got through does not lose the span's log, which goes whole instead.
 */

const PARENT_WAIT = 1_000;
const AGENT: Attributes = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'a', 'gen_ai.request.model': 'gpt-4o' };

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function setup(options: HumanloopSpanExporterOptions = {}): Promise<Harness> {
  harness = await startHarness({ parentWaitMillis: PARENT_WAIT, exportTimeoutMillis: 2_000, ...options });
  return harness;
}

/** An export's callbacks as they come, and how many second calls the exporter had reported before it. */
interface Counted {
  results: ExportResult[];
  secondCallsBefore: number;
}

/** Exports without waiting; `results` collects every callback. */
function exportCounting(h: Harness, spans: ReadableSpan[]): Counted {
  const counted: Counted = { results: [], secondCallsBefore: secondCallbacks() };
  h.exporter.export(spans, (result) => counted.results.push(result));
  return counted;
}

/**
 * The callback came, and only once. The exporter's guard lets one call through and reports a
 * second one in diag (a sleep here could not see it, nor one that would come only once the fake
 * clock passes the export's deadline): it is that report that is checked, here and, for a second
 * call that shutdown would make, after the test (test/helpers/no-second-callbacks.ts).
 */
async function expectCalledBackOnce({ results, secondCallsBefore }: Counted, what: string): Promise<void> {
  await until(() => results.length > 0, `the callback of ${what}`).catch(() => undefined);
  expect(results.length, `callbacks of ${what}`).toBe(1);
  expect(secondCallbacks() - secondCallsBefore, `second calls of export callbacks reported since ${what}`).toBe(0);
}

function balanced(counts: SpanCounts): boolean {
  return counts.seen === settledSpans(counts);
}

/**
 * A running agent whose start the exporter saw, and its ended chat child, exported and held.
 * `agentSpan()` is the agent as a finished span, once `agent.end()` has been called.
 */
async function agentWithHeldChild(h: Harness) {
  const rec = recordSpans();
  const agent = startSpan(rec.tracer, 'agent', AGENT);
  h.exporter.recordSpanStart(agent as unknown as ReadableSpan);
  startSpan(rec.tracer, 'chat', CHAT_ATTRIBUTES, agent).end();
  expect(await h.exportAll(rec.spans())).toEqual({ code: ExportResultCode.SUCCESS });
  expect(h.exporter.stats().waitingLogs).toBe(1);
  const agentSpan = () => rec.spans().find((span) => span.name === 'agent')!;
  return { rec, agent, agentSpan, agentId: agent.spanContext().spanId };
}

/** The agent is logged as a placeholder while the server is down: it fails until its deadline and is kept. */
async function placeholderKeptThroughOutage(h: Harness): Promise<void> {
  h.server.down();
  h.clock.advance(PARENT_WAIT);
  await until(() => h.exporter.stats().bufferedLogs === 1 && h.exporter.stats().queuedLogs === 0, 'the placeholder kept');
}

/** The span's whole log was stored as an ordinary one: its placeholder never got through, so no completion was sent. */
function expectWholeLog(h: Harness, spanId: string): void {
  const log = h.server.logs().find((candidate) => candidate.reference_id === spanId);
  expect(log, 'the stored log of the agent').toBeDefined();
  expect(log?.metadata?.placeholder, 'a placeholder flag on it').toBeUndefined();
  expect(log?.duration, 'its duration').toEqual(expect.any(Number));
  expect(h.server.requests().filter((request) => request.method === 'PATCH'), 'PATCH requests').toEqual([]);
}

/**
 * The agent ends after its placeholder was dropped: its export calls back, and once the server
 * is back its whole log is stored. Returns the span counts then.
 */
async function endAgentAfterItsPlaceholderWasDropped(h: Harness, agent: Span, agentSpan: () => ReadableSpan, agentId: string) {
  agent.end();
  const results = exportCounting(h, [agentSpan()]);
  await expectCalledBackOnce(results, 'the export of the agent');
  h.server.up();
  await h.exporter.forceFlush();
  const { spans } = h.exporter.stats();
  expectWholeLog(h, agentId);
  expect(spans.delivered).toBe(h.server.logs().length);
  return spans;
}

describe('a placeholder that is finally dropped', () => {
  // Defect: a placeholder dropped at shutdown leaves its span's completion pending, so its export never calls back.
  it('still calls back the export of its span by the time shutdown resolves, and counts the span', async () => {
    const h = await setup();
    const { agent, agentSpan } = await agentWithHeldChild(h);
    await placeholderKeptThroughOutage(h);
    agent.end();
    const results = exportCounting(h, [agentSpan()]);
    await h.exporter.shutdown();
    await expectCalledBackOnce(results, 'the export of the agent');
    expect(balanced(h.exporter.stats().spans), 'seen = delivered + merged + spooled + dropped').toBe(true);
  });

  // Defect: a placeholder pushed out of the outage buffer (buffer_full) leaves its span's export without a callback.
  it('calls back the export of its span when the placeholder was pushed out of a full buffer', async () => {
    const h = await setup({ maxBufferedBytes: 2_000 });
    const { rec, agent, agentSpan, agentId } = await agentWithHeldChild(h);
    await placeholderKeptThroughOutage(h);
    rec.clear();
    // Newer kept logs push the placeholder, the oldest, out.
    for (let i = 0; i < 4; i++) startSpan(rec.tracer, `other chat ${i}`, CHAT_ATTRIBUTES).end();
    await h.exportAll(rec.spans());
    // Its child, held for it, goes once the placeholder is gone.
    await until(() => h.exporter.stats().waitingLogs === 0, 'the placeholder pushed out');
    const spans = await endAgentAfterItsPlaceholderWasDropped(h, agent, agentSpan, agentId);
    expect(spans.dropped.buffer_full).toBeGreaterThanOrEqual(1);
    expect(balanced(spans), 'seen = delivered + merged + spooled + dropped').toBe(true);
  });

  // Defect: a placeholder that ages out of the outage buffer (expired) leaves its span's export without a callback.
  it('calls back the export of its span when the placeholder expired in the buffer', async () => {
    const h = await setup({ maxBufferAgeMillis: 60_000 });
    const { agent, agentSpan, agentId } = await agentWithHeldChild(h);
    await placeholderKeptThroughOutage(h);
    h.clock.advance(61_000);
    await h.exportAll([]);
    await until(() => h.exporter.stats().waitingLogs === 0, 'the placeholder expired');
    const spans = await endAgentAfterItsPlaceholderWasDropped(h, agent, agentSpan, agentId);
    // Only the agent's placeholder was kept that long, and a placeholder is not its span's log.
    expect(spans.dropped.expired).toBeUndefined();
    expect(balanced(spans), 'seen = delivered + merged + spooled + dropped').toBe(true);
  });
});

describe('the completion of a placeholder', () => {
  /** The agent's placeholder and its child are delivered; then the agent ends and is exported. */
  async function completeAgent(h: Harness): Promise<Counted> {
    const { agent, agentSpan } = await agentWithHeldChild(h);
    h.clock.advance(PARENT_WAIT);
    await until(() => h.server.logs().length === 2, 'the placeholder and its child');
    agent.end();
    return exportCounting(h, [agentSpan()]);
  }

  // Defect: when sending the completion (PATCH) throws, the export of the span never calls back.
  it('calls back the export even when the completion cannot be serialized', async () => {
    const h = await setup({
      // A BigInt makes JSON.stringify throw.
      redact: (log, span) => (span.name === 'agent' ? { ...log, output: 10n as unknown as string } : log),
    });
    const results = await completeAgent(h);
    await expectCalledBackOnce(results, 'the export of the agent');
    await h.exporter.forceFlush();
    expect(balanced(h.exporter.stats().spans), 'seen = delivered + merged + spooled + dropped').toBe(true);
  });

  // Defect: the completion is counted delivered before the PATCH is answered, so a refused PATCH still counts.
  it('counts the span as rejected, not delivered, when the PATCH is refused', async () => {
    const h = await setup();
    h.server.setFaultPlan((request) => (request.method === 'PATCH' ? { status: 400 } : undefined));
    const results = await completeAgent(h);
    await expectCalledBackOnce(results, 'the export of the agent');
    await h.exporter.forceFlush();
    expect(h.server.requests().filter((request) => request.method === 'PATCH').map((r) => r.status)).toEqual([400]);
    const { spans } = h.exporter.stats();
    expect(spans.delivered, 'spans delivered (the chat only)').toBe(1);
    expect(spans.dropped.rejected, 'spans dropped as rejected (the agent)').toBe(1);
    expect(balanced(spans), 'seen = delivered + merged + spooled + dropped').toBe(true);
  });
});
