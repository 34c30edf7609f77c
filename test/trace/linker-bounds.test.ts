import type { Attributes } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { HumanloopSpanExporter, type SpanCounts } from '../../src/index.js';
import { startTestLogServer, type TestLogServer } from 'humanloop-log-server/testing';
import { FakeClock } from '../helpers/fake-clock.js';
import { API_KEY, exportOnce, settledSpans } from '../helpers/harness.js';
import { recordSpans, startSpan } from '../helpers/spans.js';

/**
 * The trace linker remembers at most `maxTrackedSpans` spans, forgetting the oldest first; a
 * log kept through an outage cannot be forgotten (its children will need it). Forgetting must
 * cost O(1) amortized per span, however many such logs sit at the front: on the old code this
 * test does not finish within the test timeout (each span rescans every kept log).
 */

const MAX_TRACKED = 100;
const KEPT = 40_000;
const OTHERS = 60_000;
const BATCH = 1_000;
const SMALL_CHAT: Attributes = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' };
const HTTP: Attributes = { 'http.request.method': 'GET', 'http.route': '/health' };

let server: TestLogServer | undefined;
let exporter: HumanloopSpanExporter | undefined;
/** Set after the test (or its timeout): a loop still running stops at its next batch. */
let stopped = false;

afterEach(async () => {
  stopped = true;
  await exporter?.shutdown();
  await server?.close();
});

function accountedFor(counts: SpanCounts, bufferedLogs: number): boolean {
  return counts.seen === settledSpans(counts) + bufferedLogs;
}

describe('forgetting tracked spans behind logs kept through an outage', () => {
  // Defect: each new span rescans from the oldest tracked node, past every kept log: O(n) per span.
  it('stays within maxTrackedSpans plus the kept logs, at a cost that does not grow with them', async () => {
    stopped = false;
    server = await startTestLogServer({ apiKey: API_KEY });
    server.down();
    exporter = new HumanloopSpanExporter(
      { apiKey: API_KEY, baseUrl: server.url, maxTrackedSpans: MAX_TRACKED, exportTimeoutMillis: 2_000, maxBufferAgeMillis: 3_600_000 },
      { clock: new FakeClock(), random: () => 0.5, env: {} },
    );
    const rec = recordSpans();
    const exportBatch = async (name: string, attributes: Attributes) => {
      for (let i = 0; i < BATCH; i++) startSpan(rec.tracer, name, attributes).end();
      await exportOnce(exporter!, rec.spans());
      rec.clear();
      const stats = exporter!.stats();
      expect(stats.trackedSpans).toBeLessThanOrEqual(MAX_TRACKED + stats.bufferedLogs);
    };
    // LLM calls that cannot go out: their logs are kept, and stay tracked.
    for (let done = 0; done < KEPT && !stopped; done += BATCH) await exportBatch('chat', SMALL_CHAT);
    expect(exporter.stats().bufferedLogs).toBe(KEPT);
    // Spans that are not sent, each remembered for linking and then forgotten.
    for (let done = 0; done < OTHERS && !stopped; done += BATCH) await exportBatch('GET /health', HTTP);

    const stats = exporter.stats();
    expect(stats.spans.seen).toBe(KEPT + OTHERS);
    expect(stats.spans.dropped.not_llm).toBe(OTHERS);
    expect(stats.bufferedLogs).toBe(KEPT);
    expect(accountedFor(stats.spans, stats.bufferedLogs)).toBe(true);
  });
});
