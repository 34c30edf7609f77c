import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError, HumanloopSpanExporter } from '../src/index.js';
import { recordSpans, startSpan } from './helpers/spans.js';

function exportOnce(exporter: HumanloopSpanExporter, spans = recordSpans().spans()): Promise<ExportResult[]> {
  const results: ExportResult[] = [];
  return new Promise((resolve) => {
    exporter.export(spans, (result) => {
      results.push(result);
      // Give a second (wrong) call a chance to show up before resolving.
      setTimeout(() => resolve(results), 20);
    });
  });
}

function captureDiag(): { messages: string[] } {
  const messages: string[] = [];
  const record = (...args: unknown[]) => messages.push(args.map(String).join(' '));
  const logger: DiagLogger = { error: record, warn: record, info: record, debug: record, verbose: record };
  diag.setLogger(logger, { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true });
  return { messages };
}

afterEach(() => diag.disable());

describe('HumanloopSpanExporter contract', () => {
  it('fails every export at once when no API key is configured, naming the variable', async () => {
    const diagnostics = captureDiag();
    const exporter = new HumanloopSpanExporter({}, { env: {} });
    const results = await exportOnce(exporter);
    expect(results).toHaveLength(1);
    expect(results[0]?.code).toBe(ExportResultCode.FAILED);
    expect(results[0]?.error?.message).toMatch(/HUMANLOOP_API_KEY/);
    expect(diagnostics.messages.filter((m) => m.includes('HUMANLOOP_API_KEY'))).toHaveLength(1);
    await exporter.shutdown();
  });

  it('fails exports after shutdown, and shutdown is idempotent', async () => {
    const exporter = new HumanloopSpanExporter({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9' });
    const first = exporter.shutdown();
    expect(exporter.shutdown()).toBe(first);
    await first;
    const results = await exportOnce(exporter);
    expect(results).toEqual([{ code: ExportResultCode.FAILED, error: expect.any(Error) }]);
    expect(results[0]?.error?.message).toMatch(/shut down/);
  });

  it('succeeds without a request when no span is an LLM span', async () => {
    const rec = recordSpans();
    startSpan(rec.tracer, 'GET /health', { 'http.request.method': 'GET' }).end();
    // Port 9 (discard) on loopback refuses connections: any request would fail the export.
    const exporter = new HumanloopSpanExporter({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9' });
    expect(await exportOnce(exporter, rec.spans())).toEqual([{ code: ExportResultCode.SUCCESS }]);
    expect(await exportOnce(exporter, [])).toEqual([{ code: ExportResultCode.SUCCESS }]);
    await exporter.shutdown();
  });

  it('skips garbage handed to export and goes on with the rest', async () => {
    const exporter = new HumanloopSpanExporter({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9' });
    const garbage = [null, 42, {}, { spanContext: () => null }] as never;
    const results = await exportOnce(exporter, garbage);
    expect(results).toEqual([{ code: ExportResultCode.SUCCESS }]);
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
