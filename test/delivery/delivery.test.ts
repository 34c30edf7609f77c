import { ExportResultCode } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { API_KEY, captureDiag, startHarness, type Harness } from '../helpers/harness.js';
import { referenceIds, spanIds } from '../helpers/logs.js';
import { CHAT_ATTRIBUTES, chatSpans } from '../helpers/spans.js';

let harness: Harness | undefined;
let restoreDiag: (() => void) | undefined;

afterEach(async () => {
  restoreDiag?.();
  restoreDiag = undefined;
  await harness?.close();
  harness = undefined;
});

describe('delivery to the local log server', () => {
  it('delivers every log once in one request, with the ids the server returned', async () => {
    harness = await startHarness();
    const spans = chatSpans(3);
    expect(await harness.exportAll(spans)).toEqual({ code: ExportResultCode.SUCCESS });
    expect(referenceIds(harness.server.logs())).toEqual(spanIds(spans));
    expect(harness.server.requests()).toHaveLength(1);
    expect(harness.server.requests()[0]).toMatchObject({ method: 'POST', path: '/v4/logs', status: 200, itemCount: 3 });
  });

  it('splits an export by maxBatchSize and maxBatchBytes', async () => {
    harness = await startHarness({ maxBatchSize: 3 });
    await harness.exportAll(chatSpans(10));
    expect(harness.server.requests().map((r) => r.itemCount)).toEqual([3, 3, 3, 1]);
    await harness.close();

    const oneLogBytes = JSON.stringify(harness.server.logs()[0]).length;
    harness = await startHarness({ maxBatchBytes: Math.floor(oneLogBytes * 2.5) });
    await harness.exportAll(chatSpans(5));
    expect(harness.server.logs()).toHaveLength(5);
    expect(Math.max(...harness.server.requests().map((r) => r.itemCount))).toBeLessThanOrEqual(2);
  });

  it('retries a 503 and delivers once', async () => {
    harness = await startHarness();
    harness.server.inject({ status: 503 });
    const spans = chatSpans(2);
    expect(await harness.exportAll(spans)).toEqual({ code: ExportResultCode.SUCCESS });
    expect(referenceIds(harness.server.logs())).toEqual(spanIds(spans));
    expect(harness.server.requests().map((r) => r.status)).toEqual([503, 200]);
    expect(harness.clock.sleeps).toHaveLength(1);
  });

  it('waits as long as Retry-After says (two fake seconds)', async () => {
    harness = await startHarness();
    harness.server.inject({ status: 429, retryAfter: '2' });
    expect(await harness.exportAll(chatSpans(1))).toEqual({ code: ExportResultCode.SUCCESS });
    expect(harness.clock.sleeps).toEqual([2000]);
    expect(harness.server.logs()).toHaveLength(1);
  });

  it('honours Retry-After as an HTTP date', async () => {
    harness = await startHarness();
    const inFiveSeconds = new Date(harness.clock.now() + 5000).toUTCString();
    harness.server.inject({ status: 503, retryAfter: inFiveSeconds });
    await harness.exportAll(chatSpans(1));
    expect(harness.clock.sleeps).toEqual([5000]);
  });

  it('retries a dropped connection', async () => {
    harness = await startHarness();
    harness.server.inject({ drop: 'reset' });
    expect(await harness.exportAll(chatSpans(1))).toEqual({ code: ExportResultCode.SUCCESS });
    expect(harness.server.logs()).toHaveLength(1);
    expect(harness.server.requests()).toHaveLength(2);
  });

  it('fails the export by its deadline against a dead server, throwing nothing', async () => {
    harness = await startHarness({ exportTimeoutMillis: 5000 });
    harness.server.down();
    const start = harness.clock.now();
    const result = await harness.exportAll(chatSpans(2));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error).toMatchObject({ name: 'HumanloopExportError', reason: 'unreachable', logs: 2 });
    expect(result.error?.message).toMatch(/^2 of 2 logs were not delivered to Humanloop: kept for a later attempt: Request to Humanloop at 127\.0\.0\.1:\d+ failed/);
    expect(harness.clock.now() - start).toBeLessThanOrEqual(5000);
    expect(harness.clock.sleeps.length).toBeGreaterThan(1);
  });

  it('gives up at once when Retry-After points past the deadline', async () => {
    harness = await startHarness({ exportTimeoutMillis: 5000 });
    harness.server.inject({ status: 429, retryAfter: '60' });
    const result = await harness.exportAll(chatSpans(1));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(harness.clock.sleeps).toEqual([]);
    expect(harness.server.requests()).toHaveLength(1);
  });

  it('drops only the log a 422 names and delivers the rest', async () => {
    const diagnostics = captureDiag();
    restoreDiag = diagnostics.restore;
    const spans = chatSpans(3);
    const bad = spans[1].spanContext().spanId;
    // The server's own validation refuses the bad log: its model is empty.
    harness = await startHarness({
      redact: (log) => (log.reference_id === bad ? { ...log, config: { ...log.config, model: '' } as never } : log),
    });
    expect(await harness.exportAll(spans)).toEqual({ code: ExportResultCode.SUCCESS });
    expect(referenceIds(harness.server.logs())).toEqual(spanIds(spans).filter((id) => id !== bad));
    expect(harness.server.requests().map((r) => [r.status, r.itemCount])).toEqual([
      [422, 3],
      [200, 2],
    ]);
    expect(diagnostics.messages.some((m) => m.includes(bad) && m.includes('config.model'))).toBe(true);
  });

  it('bisects a 422 that names no item', async () => {
    harness = await startHarness();
    harness.server.inject({ status: 422, body: { detail: 'something was wrong' } });
    const spans = chatSpans(4);
    expect(await harness.exportAll(spans)).toEqual({ code: ExportResultCode.SUCCESS });
    expect(referenceIds(harness.server.logs())).toEqual(spanIds(spans));
    expect(harness.server.requests().map((r) => r.itemCount)).toEqual([4, 2, 2]);
  });

  it('splits on 413, and truncates a single log that is still too large', async () => {
    harness = await startHarness({}, { server: { maxBodyBytes: 60_000 } });
    const big = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'x'.repeat(100_000) }] }]);
    const spans = [...chatSpans(3), ...chatSpans(1, { ...CHAT_ATTRIBUTES, 'gen_ai.input.messages': big })];
    expect(await harness.exportAll(spans)).toEqual({ code: ExportResultCode.SUCCESS });
    const logs = harness.server.logs();
    expect(referenceIds(logs)).toEqual(spanIds(spans));
    const truncated = logs.find((log) => log.metadata?.truncated);
    expect(truncated?.metadata?.truncated).toMatchObject({ reason: 'payload too large' });
    expect(JSON.stringify(truncated).length).toBeLessThan(60_000);
    expect(harness.server.requests().some((r) => r.status === 413)).toBe(true);
  });

  it('on 401 makes one request, fails, and logs one error that never contains the key', async () => {
    const diagnostics = captureDiag();
    restoreDiag = diagnostics.restore;
    harness = await startHarness({}, { server: { apiKey: 'the-right-key' } });
    const result = await harness.exportAll(chatSpans(3));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(harness.server.requests()).toHaveLength(1);
    // A later export tries again (the key may have been fixed) but does not repeat the error.
    expect((await harness.exportAll(chatSpans(1))).code).toBe(ExportResultCode.FAILED);
    // Both requests carried the key (the server records it as present): it was there to leak.
    expect(harness.server.requests().map((r) => [r.status, r.headers['x-api-key']])).toEqual([
      [401, '[present]'],
      [401, '[present]'],
    ]);
    const errors = diagnostics.messages.filter((m) => m.includes('refused the API key'));
    expect(errors).toHaveLength(1);
    expect(diagnostics.messages.join('\n')).not.toContain(API_KEY);
    expect(result.error?.message).not.toContain(API_KEY);
  });

  it('forceFlush waits for requests in flight', async () => {
    harness = await startHarness({}, { fakeClock: false });
    harness.server.inject({ delayMillis: 300 });
    const exported = harness.exportAll(chatSpans(2));
    await harness.exporter.forceFlush();
    expect(harness.server.logs()).toHaveLength(2);
    expect(await exported).toEqual({ code: ExportResultCode.SUCCESS });
    // Still usable after a flush.
    expect(await harness.exportAll(chatSpans(1))).toEqual({ code: ExportResultCode.SUCCESS });
    expect(harness.server.logs()).toHaveLength(3);
  });

  it('shutdown waits for requests in flight, then fails new exports', async () => {
    harness = await startHarness({}, { fakeClock: false });
    harness.server.inject({ delayMillis: 200 });
    const exported = harness.exportAll(chatSpans(1));
    await harness.exporter.shutdown();
    expect(harness.server.logs()).toHaveLength(1);
    expect((await exported).code).toBe(ExportResultCode.SUCCESS);
    expect((await harness.exportAll(chatSpans(1))).code).toBe(ExportResultCode.FAILED);
  });
});
