import { diag } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError, HumanloopSpanExporter } from '../src/index.js';
import { captureDiag, exportOnce, startHarness, type Harness } from './helpers/harness.js';
import { referenceIds, spanIds } from './helpers/logs.js';
import { chatSpans, recordSpans, startSpan } from './helpers/spans.js';

let harness: Harness | undefined;

afterEach(async () => {
  diag.disable();
  await harness?.close();
  harness = undefined;
});

describe('HumanloopSpanExporter contract', () => {
  it('fails every export at once when no API key is configured, naming the variable', async () => {
    const diagnostics = captureDiag();
    const exporter = new HumanloopSpanExporter({}, { env: {} });
    const result = await exportOnce(exporter, []);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toMatch(/HUMANLOOP_API_KEY/);
    expect(diagnostics.messages.filter((m) => m.includes('HUMANLOOP_API_KEY'))).toHaveLength(1);
    await exporter.shutdown();
  });

  it('fails exports after shutdown, and shutdown is idempotent', async () => {
    const exporter = new HumanloopSpanExporter({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9' });
    const first = exporter.shutdown();
    expect(exporter.shutdown()).toBe(first);
    await first;
    const result = await exportOnce(exporter, []);
    expect(result).toEqual({ code: ExportResultCode.FAILED, error: expect.any(Error) });
    expect(result.error?.message).toMatch(/shut down/);
  });

  it('succeeds without a request when no span is an LLM span', async () => {
    harness = await startHarness();
    const rec = recordSpans();
    startSpan(rec.tracer, 'GET /health', { 'http.request.method': 'GET' }).end();
    expect(await harness.exportAll(rec.spans())).toEqual({ code: ExportResultCode.SUCCESS });
    expect(await harness.exportAll([])).toEqual({ code: ExportResultCode.SUCCESS });
    // The callback comes once every log is settled, so a request would have been made by now.
    expect(harness.server.requests()).toEqual([]);
    expect(harness.exporter.stats().spans).toMatchObject({ seen: 1, dropped: { not_llm: 1 } });
  });

  it('skips garbage handed to export and goes on with the rest', async () => {
    harness = await startHarness();
    const [chat] = chatSpans(1);
    const garbage = [null, 42, {}, { spanContext: () => null }];
    expect(await harness.exportAll([...garbage, chat] as never)).toEqual({ code: ExportResultCode.SUCCESS });
    expect(referenceIds(harness.server.logs())).toEqual(spanIds([chat]));
    expect(harness.exporter.stats().spans).toMatchObject({ seen: 5, delivered: 1, dropped: { mapping_error: 4 } });
  });

  it('throws at construction for invalid options given in code', () => {
    expect(() => new HumanloopSpanExporter({ baseUrl: 'not a url' })).toThrow(ConfigurationError);
    expect(() => new HumanloopSpanExporter({ baseUrl: 'ftp://example.com' })).toThrow(/protocol/);
    expect(() => new HumanloopSpanExporter({ baseUrl: 'http://example.com/v4' })).toThrow(/unencrypted/);
    expect(() => new HumanloopSpanExporter({ maxBatchSize: -1 })).toThrow(/maxBatchSize/);
    expect(() => new HumanloopSpanExporter({ timeoutMillis: 1.5 })).toThrow(/timeoutMillis/);
    expect(
      () => new HumanloopSpanExporter({ apiKey: 'k', baseUrl: 'http://example.com/v4', allowInsecureHttp: true }),
    ).not.toThrow();
  });

  it('warns about an invalid environment value that only changes what is sent, and falls back', () => {
    const diagnostics = captureDiag();
    const exporter = new HumanloopSpanExporter(
      {},
      { env: { HUMANLOOP_API_KEY: 'k', OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'maybe' } },
    );
    expect(diagnostics.messages.join('\n')).toMatch(/CAPTURE_MESSAGE_CONTENT.*content is captured/);
    return exporter.shutdown();
  });
});
