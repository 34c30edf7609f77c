import { ExportResultCode } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { API_KEY, captureDiag, DIALECTS, startHarness, type Dialect, type Harness } from '../helpers/harness.js';
import { spanIds } from '../helpers/logs.js';
import { CHAT_ATTRIBUTES, chatSpans } from '../helpers/spans.js';

let harness: Harness | undefined;
let restoreDiag: (() => void) | undefined;

afterEach(async () => {
  restoreDiag?.();
  restoreDiag = undefined;
  await harness?.close();
  harness = undefined;
});

/** The path a dialect creates chat logs at: v4 posts arrays to /logs, v5 one log to its file type's endpoint. */
const CREATE_PATH: Record<Dialect, string> = { v4: '/v4/logs', v5: '/v5/prompts/log' };

/** The delivery contract, the same for both APIs; only the shape of the requests differs. */
describe.each(DIALECTS)('delivery to the local log server (%s)', (api) => {
  const start = (...args: Parameters<typeof startHarness>) => startHarness(args[0], { ...args[1], api });

  it('delivers every log once, with the ids the server returned', async () => {
    harness = await start();
    const spans = chatSpans(3);
    expect(await harness.exportAll(spans)).toEqual({ code: ExportResultCode.SUCCESS });
    expect(harness.storedSpanIds()).toEqual(spanIds(spans));
    const requests = harness.server.requests();
    expect(requests.every((r) => r.method === 'POST' && r.path === CREATE_PATH[api] && r.status === 200)).toBe(true);
    // v4 puts an export's logs in one request; v5 takes one log per request.
    expect(requests.map((r) => r.itemCount)).toEqual(api === 'v4' ? [3] : [1, 1, 1]);
  });

  it('retries a 503 and delivers once', async () => {
    harness = await start();
    harness.server.inject({ status: 503 });
    const spans = chatSpans(2);
    expect(await harness.exportAll(spans)).toEqual({ code: ExportResultCode.SUCCESS });
    expect(harness.storedSpanIds()).toEqual(spanIds(spans));
    expect(harness.server.requests().filter((r) => r.status === 503)).toHaveLength(1);
    expect(harness.clock.sleeps).toHaveLength(1);
  });

  it('waits as long as Retry-After says (two fake seconds)', async () => {
    harness = await start();
    harness.server.inject({ status: 429, retryAfter: '2' });
    expect(await harness.exportAll(chatSpans(1))).toEqual({ code: ExportResultCode.SUCCESS });
    expect(harness.clock.sleeps).toEqual([2000]);
    expect(harness.stored()).toHaveLength(1);
  });

  it('honours Retry-After as an HTTP date', async () => {
    harness = await start();
    const inFiveSeconds = new Date(harness.clock.now() + 5000).toUTCString();
    harness.server.inject({ status: 503, retryAfter: inFiveSeconds });
    await harness.exportAll(chatSpans(1));
    expect(harness.clock.sleeps).toEqual([5000]);
  });

  it('retries a dropped connection', async () => {
    harness = await start();
    harness.server.inject({ drop: 'reset' });
    expect(await harness.exportAll(chatSpans(1))).toEqual({ code: ExportResultCode.SUCCESS });
    expect(harness.stored()).toHaveLength(1);
    expect(harness.server.requests()).toHaveLength(2);
  });

  it('fails the export by its deadline against a dead server, throwing nothing', async () => {
    harness = await start({ exportTimeoutMillis: 5000 });
    harness.server.down();
    const started = harness.clock.now();
    const result = await harness.exportAll(chatSpans(2));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error).toMatchObject({ name: 'HumanloopExportError', reason: 'unreachable', logs: 2 });
    expect(result.error?.message).toMatch(/^2 of 2 logs were not delivered to Humanloop: kept for a later attempt: Request to Humanloop at 127\.0\.0\.1:\d+ failed/);
    expect(harness.clock.now() - started).toBeLessThanOrEqual(5000);
    expect(harness.clock.sleeps.length).toBeGreaterThan(1);
  });

  it('gives up at once when Retry-After points past the deadline', async () => {
    harness = await start({ exportTimeoutMillis: 5000 });
    harness.server.inject({ status: 429, retryAfter: '60' });
    const result = await harness.exportAll(chatSpans(1));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(harness.clock.sleeps).toEqual([]);
    expect(harness.server.requests()).toHaveLength(1);
  });

  it('drops only the log a 422 refuses as a whole, and delivers the rest', async () => {
    const diagnostics = captureDiag();
    restoreDiag = diagnostics.restore;
    const spans = chatSpans(3);
    const bad = spans[1].spanContext().spanId;
    // The server refuses the bad log: its provider is not one the API knows, in the configuration it cannot go without.
    harness = await start({
      redact: (log) => (log.reference_id === bad ? { ...log, config: { ...log.config, provider: 'nope' } as never } : log),
    });
    expect(await harness.exportAll(spans)).toEqual({ code: ExportResultCode.SUCCESS });
    expect(harness.storedSpanIds()).toEqual(spanIds(spans).filter((id) => id !== bad));
    expect(harness.server.requests().filter((r) => r.status === 422)).toHaveLength(1);
    expect(harness.exporter.stats().spans.dropped).toEqual({ invalid: 1 });
    expect(diagnostics.messages.some((m) => m.includes(bad) && m.includes('provider'))).toBe(true);
  });

  it('sends a log a 422 refuses one field of again without it, saying so in its metadata', async () => {
    const spans = chatSpans(2);
    const bad = spans[0].spanContext().spanId;
    harness = await start({
      redact: (log) => (log.reference_id === bad ? { ...log, inputs: 'not an object' as never } : log),
    });
    expect(await harness.exportAll(spans)).toEqual({ code: ExportResultCode.SUCCESS });
    expect(harness.storedSpanIds()).toEqual(spanIds(spans));
    const resent = harness.stored().find((log) => log.spanId === bad)!.log;
    expect(resent).not.toHaveProperty('inputs');
    expect(resent.metadata).toMatchObject({ refused_fields: ['inputs'] });
  });

  it('truncates a log too large for one request, and says so', async () => {
    harness = await start({}, { server: { maxBodyBytes: 60_000 } });
    const big = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'x'.repeat(100_000) }] }]);
    const spans = [...chatSpans(2), ...chatSpans(1, { ...CHAT_ATTRIBUTES, 'gen_ai.input.messages': big })];
    expect(await harness.exportAll(spans)).toEqual({ code: ExportResultCode.SUCCESS });
    expect(harness.storedSpanIds()).toEqual(spanIds(spans));
    const truncated = harness.stored().find((log) => (log.log.metadata as { truncated?: unknown }).truncated)!.log;
    expect(truncated.metadata).toMatchObject({ truncated: { reason: 'payload too large' } });
    expect(JSON.stringify(truncated).length).toBeLessThan(60_000);
    expect(harness.server.requests().some((r) => r.status === 413)).toBe(true);
  });

  it('on 401 stops sending, fails, and logs one error that never contains the key', async () => {
    const diagnostics = captureDiag();
    restoreDiag = diagnostics.restore;
    harness = await start({}, { server: { apiKey: 'the-right-key' } });
    const result = await harness.exportAll(chatSpans(3));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error).toMatchObject({ reason: 'unauthorized', statusCode: 401 });
    const firstExport = harness.server.requests().length;
    // v4 sends the export in one request; v5 the requests already in flight when the first answer came.
    expect(firstExport).toBeLessThanOrEqual(api === 'v4' ? 1 : 3);
    // A later export sends nothing more with that key, and does not repeat the error.
    expect((await harness.exportAll(chatSpans(1))).code).toBe(ExportResultCode.FAILED);
    expect(harness.server.requests()).toHaveLength(firstExport);
    // Every request carried the key (the server records it as present): it was there to leak.
    expect(harness.server.requests().every((r) => r.status === 401 && r.headers['x-api-key'] === '[present]')).toBe(true);
    expect(diagnostics.messages.filter((m) => m.includes('refused the API key'))).toHaveLength(1);
    expect(diagnostics.messages.join('\n')).not.toContain(API_KEY);
    expect(result.error?.message).not.toContain(API_KEY);
  });

  it('forceFlush waits for requests in flight', async () => {
    harness = await start({}, { fakeClock: false });
    harness.server.inject({ delayMillis: 300 });
    const exported = harness.exportAll(chatSpans(2));
    await harness.exporter.forceFlush();
    expect(harness.stored()).toHaveLength(2);
    expect(await exported).toEqual({ code: ExportResultCode.SUCCESS });
    // Still usable after a flush.
    expect(await harness.exportAll(chatSpans(1))).toEqual({ code: ExportResultCode.SUCCESS });
    expect(harness.stored()).toHaveLength(3);
  });

  it('shutdown waits for requests in flight, then fails new exports', async () => {
    harness = await start({}, { fakeClock: false });
    harness.server.inject({ delayMillis: 200 });
    const exported = harness.exportAll(chatSpans(1));
    await harness.exporter.shutdown();
    expect(harness.stored()).toHaveLength(1);
    expect((await exported).code).toBe(ExportResultCode.SUCCESS);
    expect((await harness.exportAll(chatSpans(1))).code).toBe(ExportResultCode.FAILED);
  });
});

describe('v4: an export is split into requests of logs', () => {
  it('by maxBatchSize and maxBatchBytes', async () => {
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

  // Defect: an export worked through in slices of 64 sent each slice's logs in a request of their own.
  it('in full requests when the export is worked through in slices', async () => {
    harness = await startHarness({ maxBatchSize: 100 });
    await harness.exportAll(chatSpans(450));
    expect(harness.server.requests().map((r) => r.itemCount)).toEqual([100, 100, 100, 100, 50]);
  });

  it('in halves on 413, before a single log is truncated', async () => {
    harness = await startHarness({}, { server: { maxBodyBytes: 60_000 } });
    const big = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'x'.repeat(40_000) }] }]);
    const spans = chatSpans(2, { ...CHAT_ATTRIBUTES, 'gen_ai.input.messages': big });
    expect(await harness.exportAll(spans)).toEqual({ code: ExportResultCode.SUCCESS });
    expect(harness.server.requests().map((r) => [r.status, r.itemCount])).toEqual([
      [413, 0],
      [200, 1],
      [200, 1],
    ]);
    expect(harness.server.logs().every((log) => log.metadata?.truncated === undefined)).toBe(true);
  });

  it('no larger than the API took, once it refused a request as too large', async () => {
    const diag = captureDiag();
    restoreDiag = diag.restore;
    harness = await startHarness({}, { server: { maxBodyBytes: 60_000 } });
    const messages = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'y'.repeat(5_000) }] }]);
    const attributes = { ...CHAT_ATTRIBUTES, 'gen_ai.input.messages': messages };
    expect(await harness.exportAll(chatSpans(40, attributes))).toEqual({ code: ExportResultCode.SUCCESS });
    const first = harness.server.requests().length;
    expect(harness.server.requests().filter((r) => r.status === 413).length).toBeGreaterThan(0);

    expect(await harness.exportAll(chatSpans(40, attributes))).toEqual({ code: ExportResultCode.SUCCESS });
    const second = harness.server.requests().slice(first);
    expect(second.map((r) => r.status).filter((status) => status !== 200)).toEqual([]);
    // Full requests still: the limit learned is half the smallest refused request, not one log each.
    expect(second.length).toBeLessThanOrEqual(8);
    expect(harness.server.logs()).toHaveLength(80);
    expect(diag.messages.filter((message) => message.includes('refused a request of'))).toHaveLength(1);
  });

  it('and a 422 that names no log is bisected', async () => {
    harness = await startHarness();
    harness.server.inject({ status: 422, body: { detail: 'something was wrong' } });
    const spans = chatSpans(4);
    expect(await harness.exportAll(spans)).toEqual({ code: ExportResultCode.SUCCESS });
    expect(harness.storedSpanIds()).toEqual(spanIds(spans));
    expect(harness.server.requests().map((r) => r.itemCount)).toEqual([4, 2, 2]);
  });
});
