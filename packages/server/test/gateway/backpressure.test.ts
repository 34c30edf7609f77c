import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { startOtlpGateway, type OtlpGateway } from '../../src/gateway/index.js';
import { startTestLogServer, type TestLogServer } from '../../src/testing/index.js';
import { API_KEY } from '../../../../test/helpers/harness.js';
import { CHAT_ATTRIBUTES } from '../../../../test/helpers/spans.js';
import { until } from '../../../../test/helpers/until.js';
import { startApp } from './app.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The OTLP exporter, with the result of every export it finished (after its own retries). */
function recording(inner: SpanExporter): { exporter: SpanExporter; results: ExportResult[] } {
  const results: ExportResult[] = [];
  const exporter: SpanExporter = {
    export: (spans: ReadableSpan[], done: (result: ExportResult) => void) =>
      inner.export(spans, (result) => {
        results.push(result);
        done(result);
      }),
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
  return { exporter, results };
}

async function servers(options: { maxPendingSpans: number; maxBufferedBytes?: number; exportTimeoutMillis?: number }): Promise<{ server: TestLogServer; gateway: OtlpGateway }> {
  const server = await startTestLogServer({ apiKey: API_KEY });
  cleanups.push(() => server.close());
  const gateway = await startOtlpGateway({
    port: 0,
    maxPendingSpans: options.maxPendingSpans,
    retryAfterSeconds: 1,
    exporter: {
      apiKey: API_KEY,
      baseUrl: server.url,
      maxBufferedBytes: options.maxBufferedBytes,
      exportTimeoutMillis: options.exportTimeoutMillis,
      maxConcurrentRequests: 1,
    },
  });
  cleanups.push(() => gateway.close());
  return { server, gateway };
}

describe('backpressure', () => {
  it('a slow Humanloop makes the gateway answer 429 with Retry-After; the real OTLP exporter retries and nothing is lost', async () => {
    const { server, gateway } = await servers({ maxPendingSpans: 8 });
    server.setFaultPlan(() => ({ delayMillis: 300 }));
    const { exporter, results } = recording(new OTLPTraceExporter({ url: `${gateway.url}/v1/traces`, timeoutMillis: 15_000 }));
    const { provider, tracer } = startApp([new BatchSpanProcessor(exporter, { maxExportBatchSize: 4, scheduledDelayMillis: 10, maxQueueSize: 1000 })]);
    cleanups.push(() => provider.shutdown());
    const count = 24;
    for (let i = 0; i < count; i++) tracer.startSpan(`chat ${i}`, { attributes: CHAT_ATTRIBUTES }).end();
    await provider.forceFlush();
    await until(() => gateway.stats().exporter.spans.delivered === count, 'every span to be delivered', { timeoutMillis: 20_000 });

    expect(gateway.stats().requests.throttled).toBeGreaterThan(0);
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((result) => result.code === ExportResultCode.SUCCESS)).toBe(true);
    const references = server.logs().map((log) => log.reference_id);
    expect(new Set(references).size).toBe(count);
    expect(gateway.stats().exporter.spans).toMatchObject({ seen: count, delivered: count, dropped: {} });
  }, 30_000);

  it('answers 429 with Retry-After while too many spans are in delivery, and takes them again once delivered', async () => {
    const { server, gateway } = await servers({ maxPendingSpans: 2 });
    server.inject({ delayMillis: 500 });
    const body = JSON.stringify(otlpJson(2, 'a'));
    const post = (json: string) =>
      fetch(`${gateway.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json, signal: AbortSignal.timeout(5_000) });
    expect((await post(body)).status).toBe(200);
    const throttled = await post(JSON.stringify(otlpJson(1, 'b')));
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(await throttled.json()).toMatchObject({ code: 8, message: expect.stringContaining('retry') });
    await until(() => gateway.stats().spans.pending === 0, 'the first spans to be delivered');
    expect((await post(JSON.stringify(otlpJson(1, 'b')))).status).toBe(200);
    await until(() => server.logs().length === 3, 'three logs');
  });

  it('answers 503 while Humanloop is down and the outage buffer is half full, and takes spans again after', async () => {
    // Exports give up on an unreachable API after 2 s and keep their logs for later.
    const { server, gateway } = await servers({ maxPendingSpans: 1000, maxBufferedBytes: 64 * 1024, exportTimeoutMillis: 2_000 });
    server.setFaultPlan(() => ({ status: 503 }));
    const post = (n: number) =>
      fetch(`${gateway.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(otlpJson(20, `n${n}`)),
        signal: AbortSignal.timeout(5_000),
      });
    let refused: Response | undefined;
    for (let n = 0; n < 40 && refused === undefined; n++) {
      const response = await post(n);
      if (response.status === 503) refused = response;
      else await until(() => gateway.stats().spans.pending === 0, 'the export to settle', { timeoutMillis: 10_000 });
    }
    expect(refused?.headers.get('retry-after')).toBe('1');
    expect(gateway.stats().exporter.bufferedBytes).toBeGreaterThanOrEqual(32 * 1024);
    server.setFaultPlan(undefined);
    await gateway.exporter.forceFlush();
    expect(gateway.stats().exporter.bufferedLogs).toBe(0);
    const kept = gateway.stats().spans.received;
    expect((await post(99)).status).toBe(200);
    // Every span the gateway took while Humanloop was down is delivered: none was evicted.
    await until(() => server.logs().length === kept + 20, 'every log', { timeoutMillis: 10_000 });
    expect(gateway.stats().exporter.spans.dropped).toEqual({});
  }, 60_000);
});

/** An OTLP/JSON request with `count` chat spans, each its own trace, ids derived from `tag`. */
function otlpJson(count: number, tag: string): unknown {
  const hex = (text: string, length: number) => Buffer.from(text).toString('hex').padEnd(length, '0').slice(0, length);
  const attributes = Object.entries(CHAT_ATTRIBUTES).map(([key, value]) => ({
    key,
    value: typeof value === 'string' ? { stringValue: value } : typeof value === 'number' ? { doubleValue: value } : { arrayValue: { values: [{ stringValue: String(value) }] } },
  }));
  const spans = Array.from({ length: count }, (_, i) => ({
    traceId: hex(`trace-${tag}-${i}`, 32),
    spanId: hex(`${tag}-${i}`.slice(-8).padStart(8, 's'), 16),
    name: `chat ${tag} ${i}`,
    startTimeUnixNano: '1767225600000000000',
    endTimeUnixNano: '1767225601000000000',
    attributes,
  }));
  return { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'test' }, spans }] }] };
}
