import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { HumanloopSpanExporter } from '../../src/index.js';
import { startTestLogServer, type Fault, type TestLogServer } from 'humanloop-log-server/testing';
import { FakeClock } from '../helpers/fake-clock.js';
import { API_KEY, exportOnce, settledSpans } from '../helpers/harness.js';
import { CHAT_ATTRIBUTES, recordSpans, under } from '../helpers/spans.js';

const TRACES = 500;
const SPANS_PER_TRACE = 40;

let server: TestLogServer | undefined;
let exporter: HumanloopSpanExporter | undefined;

afterEach(async () => {
  await exporter?.shutdown();
  await server?.close();
});

/** A seeded generator, so a failing run can be replayed. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** 500 traces of 40 spans: an agent, three steps under it, each with a chat and eleven tool calls; children end first. */
function traces(): ReadableSpan[] {
  const rec = recordSpans('chaos');
  for (let t = 0; t < TRACES; t++) {
    const agent = rec.tracer.startSpan('agent', {
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': `agent-${t}`, 'gen_ai.request.model': 'gpt-4o' },
    });
    for (let c = 0; c < 3; c++) {
      const step = rec.tracer.startSpan('step', { attributes: { 'gen_ai.operation.name': 'invoke_workflow' } }, under(agent));
      rec.tracer.startSpan('chat', { attributes: CHAT_ATTRIBUTES }, under(step)).end();
      for (let k = 0; k < 11; k++) {
        rec.tracer.startSpan('tool', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': `t${k}` } }, under(step)).end();
      }
      step.end();
    }
    agent.end();
  }
  return rec.spans();
}

describe('chaos', () => {
  it('delivers 20 000 spans in 500 traces through 503s, 429s, dropped connections and an outage', async () => {
    const spans = traces();
    expect(spans.length).toBe(TRACES * SPANS_PER_TRACE);
    server = await startTestLogServer({ apiKey: API_KEY });
    const random = lcg(42);
    server.setFaultPlan(({ method }): Fault | undefined => {
      if (method !== 'POST') return undefined;
      const roll = random();
      if (roll < 0.3) return { status: 503 };
      if (roll < 0.4) return { status: 429, retryAfter: '1' };
      if (roll < 0.45) return { drop: 'reset' };
      return undefined;
    });
    const clock = new FakeClock();
    exporter = new HumanloopSpanExporter(
      { apiKey: API_KEY, baseUrl: server.url, parentWaitMillis: 3_600_000, maxBatchSize: 200 },
      { clock, random: lcg(7), env: {} },
    );
    const chunks = Math.ceil(spans.length / 512);
    for (let i = 0; i < chunks; i++) {
      if (i === Math.floor(chunks / 2)) server.down();
      if (i === Math.floor(chunks / 2) + 5) server.up();
      await exportOnce(exporter, spans.slice(i * 512, (i + 1) * 512));
    }
    for (let round = 0; round < 10 && exporter.stats().bufferedLogs + exporter.stats().waitingLogs > 0; round++) {
      await exporter.forceFlush();
    }

    const logs = server.logs();
    const stored = new Map<string, number>();
    for (const log of logs) stored.set(log.reference_id!, (stored.get(log.reference_id!) ?? 0) + 1);
    const duplicates = [...stored.values()].filter((count) => count > 1).length;
    const ids = new Set(spans.map((span) => span.spanContext().spanId));
    expect(new Set(stored.keys())).toEqual(ids);
    // At least once: a duplicate would need a request stored and then unanswered; none is expected here.
    expect(duplicates).toBe(0);
    for (const log of logs) {
      if (log.parent_reference_id) expect(stored.has(log.parent_reference_id)).toBe(true);
    }
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    const nested = logs.filter((log) => log.parent_reference_id === byId.get(log.reference_id!)?.parentSpanContext?.spanId);
    expect(nested.length).toBe(logs.length);

    const stats = exporter.stats();
    expect(stats.spans.seen).toBe(spans.length);
    expect(settledSpans(stats.spans)).toBe(stats.spans.seen);
    expect(stats.spans.delivered).toBe(spans.length);
    const requests = server.requests();
    const faults = (name: string) => requests.filter((request) => request.fault === name).length;
    expect([faults('status:503'), faults('status:429'), faults('drop:reset')].every((n) => n >= 10)).toBe(true);
    expect(requests.filter((request) => request.status === 422)).toEqual([]);
  }, 120_000);
});
