import { diag } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HumanloopSpanExporter } from '../src/index.js';
import { startTestLogServer } from 'humanloop-log-server/testing';
import { captureStderr, exportOnce } from './helpers/harness.js';
import { RecordingAgent } from './helpers/recording-agent.js';
import { testScope } from './helpers/scope.js';
import { chatSpans } from './helpers/spans.js';

/** What a user sees of a mistake without having set up anything: stderr, one line, once. */

const scope = testScope();

afterEach(() => {
  vi.restoreAllMocks();
  diag.disable();
});

describe('with no diag logger set', () => {
  it('prints one line on stderr, once, for a missing API key', async () => {
    diag.disable();
    const stderr = captureStderr();
    const first = new HumanloopSpanExporter({}, { env: {} });
    const second = new HumanloopSpanExporter({}, { env: {} });
    expect((await exportOnce(first, chatSpans(1))).code).toBe(ExportResultCode.FAILED);
    await Promise.all([first.shutdown(), second.shutdown()]);
    expect(stderr).toEqual([
      'humanloop-otel-exporter: No Humanloop API key: pass the apiKey option or set the HUMANLOOP_API_KEY environment variable\n',
    ]);
  });

  it('prints one line on stderr for a refused API key, naming the host', async () => {
    diag.disable();
    const server = await scope.server();
    const stderr = captureStderr();
    const exporter = scope.exporter(server.url, { apiKey: 'wrong-key' });
    await exportOnce(exporter, chatSpans(2));
    await exportOnce(exporter, chatSpans(2));
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(new RegExp(`Humanloop at ${new URL(server.url).host} answered HTTP 401.*HUMANLOOP_API_KEY`));
  });

  it('prints nothing on stderr when the application has a diag logger: it goes there', () => {
    const messages: string[] = [];
    const record = (...args: unknown[]) => void messages.push(args.join(' '));
    diag.setLogger({ error: record, warn: record, info: record, debug: record, verbose: record });
    const stderr = captureStderr();
    void new HumanloopSpanExporter({}, { env: {} }).shutdown();
    expect(stderr).toEqual([]);
    expect(messages.join('\n')).toMatch(/HUMANLOOP_API_KEY/);
  });

  it('logs to the console at the level HUMANLOOP_LOG_LEVEL (over OTEL_LOG_LEVEL) names', async () => {
    diag.disable();
    const server = await scope.server();
    const stderr = captureStderr();
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const exporter = new HumanloopSpanExporter(
      { baseUrl: server.url },
      { env: { HUMANLOOP_API_KEY: 'wrong-key', OTEL_LOG_LEVEL: 'none', HUMANLOOP_LOG_LEVEL: 'warn' } },
    );
    scope.defer(() => exporter.shutdown());
    await exportOnce(exporter, chatSpans(1));
    expect(error.mock.calls.flat().join(' ')).toMatch(/humanloop-otel-exporter.*refused the API key/);
    // The console logger says it; stderr is not written to a second time.
    expect(stderr).toEqual([]);
  });
});

describe('an environment value that would send data elsewhere', () => {
  it.each(['localhost:8787/v4', 'http://example.com/v4'])(
    'stops the exporter (HUMANLOOP_BASE_URL=%s): no request, not even to the default host',
    async (baseUrl) => {
      const stderr = captureStderr();
      const dispatcher = new RecordingAgent();
      scope.defer(() => dispatcher.close());
      const exporter = new HumanloopSpanExporter({ dispatcher }, { env: { HUMANLOOP_API_KEY: 'k', HUMANLOOP_BASE_URL: baseUrl } });
      const result = await exportOnce(exporter, chatSpans(2));
      await exporter.shutdown();
      expect(result.code).toBe(ExportResultCode.FAILED);
      expect(result.error).toMatchObject({ reason: 'not_configured', message: expect.stringMatching(/^Invalid HUMANLOOP_BASE_URL/) });
      expect(dispatcher.dispatched).toBe(0);
      expect(stderr.join('')).toMatch(/HUMANLOOP_BASE_URL/);
    },
  );
});

describe('a transport error', () => {
  it('names the host it tried, never the key', async () => {
    const closed = await startTestLogServer({ apiKey: 'k' });
    await closed.close();
    const exporter = scope.exporter(closed.url, { apiKey: 'hl_secret_key', exportTimeoutMillis: 2_000 });
    const result = await exportOnce(exporter, chatSpans(1));
    const host = new URL(closed.url).host;
    expect(result.error).toMatchObject({ reason: 'unreachable', host });
    expect(result.error?.message).toContain(`Request to Humanloop at ${host} failed: ECONNREFUSED`);
    expect(result.error?.message).not.toContain('hl_secret_key');
  });
});
