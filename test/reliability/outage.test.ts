import { ExportResultCode } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../helpers/fake-clock.js';
import type { HumanloopSpanExporterOptions } from '../../src/index.js';
import { DIALECTS, exportOnce, settledSpans, storedLogs } from '../helpers/harness.js';
import { referenceIds, spanIds } from '../helpers/logs.js';
import { RecordingAgent } from '../helpers/recording-agent.js';
import { testScope } from '../helpers/scope.js';
import { CHAT_ATTRIBUTES, chatSpans, recordSpans, startSpan } from '../helpers/spans.js';
import { until } from '../helpers/until.js';

const scope = testScope();

/** A server that is down, and an exporter on a fake clock pointed at it. */
async function duringOutage(options: HumanloopSpanExporterOptions = {}) {
  const hl = await scope.server({ api: options.api });
  hl.down();
  const clock = new FakeClock();
  return { hl, clock, exporter: scope.exporter(hl.url, { exportTimeoutMillis: 5_000, ...options }, clock) };
}

describe.each(DIALECTS)('an outage longer than the export deadline (%s)', (api) => {
  it('loses nothing: logs are kept, retried with backoff, and delivered once the server is back', async () => {
    const { hl, clock, exporter } = await duringOutage({ api });
    const spans = chatSpans(30);
    const result = await exportOnce(exporter, spans);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toMatch(/kept for a later attempt/);
    expect(exporter.stats()).toMatchObject({ bufferedLogs: 30, spans: { seen: 30, delivered: 0 } });

    hl.up();
    // The retry timer (backoff from about a second) sends them without any new export.
    clock.advance(60_000);
    await until(() => exporter.stats().spans.delivered === 30, 'the kept logs');
    expect(storedLogs(hl, api).map((log) => log.spanId).sort()).toEqual(spanIds(spans));
    expect(exporter.stats()).toMatchObject({ bufferedLogs: 0, spans: { seen: 30, delivered: 30, dropped: {} } });
  });
});

describe('an outage under a short export deadline', () => {
  it.each([300, 1_000])('retries and delivers what was kept with exportTimeoutMillis %i', async (exportTimeoutMillis) => {
    const { hl, clock, exporter } = await duringOutage({ exportTimeoutMillis });
    await exportOnce(exporter, chatSpans(3));
    expect(exporter.stats().bufferedLogs).toBe(3);
    hl.up();
    clock.advance(60_000);
    await until(() => exporter.stats().spans.delivered === 3, 'the kept logs, each retry given the export deadline');
    expect(exporter.stats()).toMatchObject({ bufferedLogs: 0, spans: { seen: 3, delivered: 3, dropped: {} } });
  });
});

describe('an outage longer than the export deadline', () => {
  it('keeps new logs at once while the API is unreachable, so exports do not wait out their deadline', async () => {
    // A server that is down records no request: the exporter's own dispatcher counts the attempts.
    const dispatcher = new RecordingAgent();
    scope.defer(() => dispatcher.close());
    const { hl, clock, exporter } = await duringOutage({ dispatcher });
    await exportOnce(exporter, chatSpans(5));
    const attemptsDuringFirst = dispatcher.dispatched;
    expect(attemptsDuringFirst).toBeGreaterThan(1);
    const slept = clock.sleptMillis;
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await exportOnce(exporter, chatSpans(5)));
    // No request and no backoff for the later exports: their logs went straight to the buffer.
    expect(dispatcher.dispatched).toBe(attemptsDuringFirst);
    expect(clock.sleptMillis).toBe(slept);
    for (const result of results) {
      expect(result.error).toMatchObject({ reason: 'unreachable', message: expect.stringMatching(/kept for a later attempt: Humanloop is unreachable/) });
    }
    expect(exporter.stats().bufferedLogs).toBe(30);
    hl.up();
    clock.advance(60_000);
    await until(() => exporter.stats().spans.delivered === 30, 'the kept logs');
    // Delivered again: new logs go out directly.
    expect((await exportOnce(exporter, chatSpans(2))).code).toBe(ExportResultCode.SUCCESS);
    expect(exporter.stats().spans.delivered).toBe(32);
  });

  it('keeps the children of a kept parent waiting, and nests them once the parent is through', async () => {
    const { hl, exporter } = await duringOutage();
    const rec = recordSpans();
    const agent = startSpan(rec.tracer, 'agent', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.request.model': 'm' });
    agent.end();
    await exportOnce(exporter, rec.spans());
    startSpan(rec.tracer, 'chat', CHAT_ATTRIBUTES, agent).end();
    // The child's export does not wait for the outage: the child is held.
    expect(await exportOnce(exporter, rec.spans().slice(1))).toEqual({ code: ExportResultCode.SUCCESS });
    hl.up();
    await exportOnce(exporter, []);
    await exporter.forceFlush();
    const child = hl.logs().find((log) => log.reference_id !== agent.spanContext().spanId);
    expect(child?.parent_reference_id).toBe(agent.spanContext().spanId);
    expect(hl.requests().filter((r) => r.status !== undefined).every((r) => r.status === 200)).toBe(true);
  });

  it('drops the oldest first when the buffer is full, counting them', async () => {
    const oneLog = Buffer.byteLength(JSON.stringify({ ...CHAT_ATTRIBUTES })) * 2;
    const { hl, clock, exporter } = await duringOutage({ maxBufferedBytes: oneLog * 10 });
    // Eight exports of five, one after the other: the logs of a later export are kept later.
    const exports = Array.from({ length: 8 }, () => chatSpans(5));
    for (const spans of exports) await exportOnce(exporter, spans);
    const { bufferedLogs, bufferedBytes, spans: counts } = exporter.stats();
    expect(bufferedBytes).toBeLessThanOrEqual(oneLog * 10);
    // Some whole exports were kept and some dropped, so which ones went says something.
    expect(bufferedLogs).toBeGreaterThanOrEqual(5);
    expect(bufferedLogs).toBeLessThan(35);
    expect(counts.dropped.buffer_full).toBe(40 - bufferedLogs);

    hl.up();
    clock.advance(60_000);
    await until(() => exporter.stats().spans.delivered === bufferedLogs, 'the kept logs');
    const delivered = new Set(referenceIds(hl.logs()));
    // The newest exports that fit whole are all delivered; the ones before the one cut in part, none.
    const keptWhole = Math.floor(bufferedLogs / 5);
    expect(spanIds(exports.slice(8 - keptWhole).flat()).filter((id) => !delivered.has(id))).toEqual([]);
    expect(spanIds(exports.slice(0, 8 - keptWhole - 1).flat()).filter((id) => delivered.has(id))).toEqual([]);
    expect(settledSpans(exporter.stats().spans)).toBe(40);
  });

  it('drops what is kept longer than maxBufferAgeMillis, counting it', async () => {
    const { clock, exporter } = await duringOutage({ maxBufferAgeMillis: 120_000 });
    await exportOnce(exporter, chatSpans(5));
    expect(exporter.stats().bufferedLogs).toBe(5);
    clock.advance(121_000);
    // Settled, not only out of the buffer: a resent log is neither buffered nor queued while in flight.
    await until(() => settledSpans(exporter.stats().spans) === 5, 'every log settled');
    expect(exporter.stats().spans.dropped).toEqual({ expired: 5 });
    expect(exporter.stats().bufferedLogs).toBe(0);
  });
});

describe('memory while the server is down', () => {
  it('stays within maxBufferedBytes for 100 000 spans, and every span is accounted for', async () => {
    const maxBufferedBytes = 2 * 1024 * 1024;
    const { exporter } = await duringOutage({ maxBufferedBytes, exportTimeoutMillis: 2_000, maxBatchSize: 1000 });
    const rec = recordSpans();
    let seen = 0;
    for (let batch = 0; batch < 100; batch++) {
      for (let i = 0; i < 1000; i++) startSpan(rec.tracer, 'chat', CHAT_ATTRIBUTES).end();
      const spans = rec.spans();
      seen += spans.length;
      await exportOnce(exporter, spans);
      // Nothing else keeps finished spans: free them as a batch processor would.
      rec.clear();
      expect(exporter.stats().bufferedBytes).toBeLessThanOrEqual(maxBufferedBytes);
    }
    const stats = exporter.stats();
    expect(stats.spans.seen).toBe(100_000);
    expect(seen).toBe(100_000);
    expect(stats.bufferedBytes).toBeLessThanOrEqual(maxBufferedBytes);
    expect(stats.spans.seen).toBe(stats.bufferedLogs + settledSpans(stats.spans));
  }, 120_000);
});
