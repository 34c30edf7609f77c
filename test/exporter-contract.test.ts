import { diag } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError, HumanloopSpanExporter } from '../src/index.js';
import { captureDiag, exportOnce } from './helpers/harness.js';
import { recordSpans, startSpan } from './helpers/spans.js';

afterEach(() => diag.disable());

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
    const rec = recordSpans();
    startSpan(rec.tracer, 'GET /health', { 'http.request.method': 'GET' }).end();
    // Port 9 (discard) on loopback refuses connections: any request would fail the export.
    const exporter = new HumanloopSpanExporter({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9' });
    expect(await exportOnce(exporter, rec.spans())).toEqual({ code: ExportResultCode.SUCCESS });
    expect(await exportOnce(exporter, [])).toEqual({ code: ExportResultCode.SUCCESS });
    await exporter.shutdown();
  });

  it('skips garbage handed to export and goes on with the rest', async () => {
    const exporter = new HumanloopSpanExporter({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9' });
    const garbage = [null, 42, {}, { spanContext: () => null }] as never;
    expect(await exportOnce(exporter, garbage)).toEqual({ code: ExportResultCode.SUCCESS });
    await exporter.shutdown();
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

  it('warns about invalid environment values and falls back', () => {
    const diagnostics = captureDiag();
    const exporter = new HumanloopSpanExporter(
      {},
      {
        env: {
          HUMANLOOP_API_KEY: 'k',
          HUMANLOOP_BASE_URL: 'nonsense',
          OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'maybe',
        },
      },
    );
    expect(diagnostics.messages.join('\n')).toMatch(/HUMANLOOP_BASE_URL/);
    expect(diagnostics.messages.join('\n')).toMatch(/CAPTURE_MESSAGE_CONTENT/);
    return exporter.shutdown();
  });
});
