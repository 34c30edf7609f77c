import { diag } from '@opentelemetry/api';
import { Agent } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../helpers/fake-clock.js';
import { HumanloopSpanExporter } from '../../src/index.js';
import { API_KEY, captureStderr, exportOnce } from '../helpers/harness.js';
import { testScope } from '../helpers/scope.js';
import { chatSpans } from '../helpers/spans.js';

/**
 * Losing logs is never silent: without any set-up, the first loss of each kind is one line on
 * stderr (how many, why, the host, what to check), later ones are summed up at most once a
 * minute, and a successful run says at `info` how many logs it delivered.
 */

const scope = testScope();

afterEach(() => {
  vi.restoreAllMocks();
  diag.disable();
});

/** The server's base URL with another path: what a user gets wrong. */
function withPath(url: string, path: string): string {
  const wrong = new URL(url);
  wrong.pathname = path;
  return wrong.href.replace(/\/$/, '');
}

describe('logs dropped by a wrong base URL', () => {
  // A new user's trial: '/v44', or the viewer's address without '/v4': logs dropped as rejected, nothing printed.
  it.each(['/v44', '/'])('say so once on stderr, naming the fix (base path %s)', async (path) => {
    diag.disable();
    const hl = await scope.server();
    const stderr = captureStderr();
    const baseUrl = withPath(hl.url, path);
    const exporter = scope.exporter(baseUrl);
    await exportOnce(exporter, chatSpans(2));
    await exportOnce(exporter, chatSpans(3));
    await exporter.forceFlush();
    const { host } = new URL(hl.url);
    expect(stderr).toEqual([
      `humanloop-otel-exporter: 2 logs dropped: Humanloop at ${host} answered HTTP 404: check that the base URL (${new URL(baseUrl).href}) ends in /v4 or /v5, the API's version\n`,
      `humanloop-otel-exporter: 3 more logs dropped since the last report: 3 rejected (HTTP 404)\n`,
    ]);
  });
});

describe('logs undelivered at shutdown because nothing answers', () => {
  it('say so on stderr, with the last error and what to do', async () => {
    diag.disable();
    const hl = await scope.server();
    await hl.close();
    const stderr = captureStderr();
    const exporter = scope.exporter(hl.url, { exportTimeoutMillis: 2_000 });
    await exportOnce(exporter, chatSpans(2));
    await exporter.shutdown();
    const { host } = new URL(hl.url);
    expect(stderr).toEqual([
      `humanloop-otel-exporter: 2 logs dropped: still undelivered at shutdown (Request to Humanloop at ${host} failed: ECONNREFUSED): check that ${hl.url} is reachable; set spoolDir to keep them for the next run\n`,
    ]);
  });
});

describe('later losses of a kind already told', () => {
  it('are summed up at most once a minute, never a line per log', async () => {
    diag.disable();
    const hl = await scope.server();
    const stderr = captureStderr();
    const clock = new FakeClock();
    const exporter = scope.exporter(withPath(hl.url, '/v44'), {}, clock);
    await exportOnce(exporter, chatSpans(1));
    for (let i = 0; i < 5; i++) await exportOnce(exporter, chatSpans(1));
    expect(stderr).toHaveLength(1);
    clock.advance(60_000);
    expect(stderr).toHaveLength(2);
    expect(stderr[1]).toMatch(/^humanloop-otel-exporter: 5 more logs dropped since the last report: 5 rejected \(HTTP 404\)\n$/);
    await exportOnce(exporter, chatSpans(1));
    expect(stderr).toHaveLength(2);
  });
});

describe('a successful run at HUMANLOOP_LOG_LEVEL=info', () => {
  it('says how many logs it delivered, and where, after a flush', async () => {
    diag.disable();
    const hl = await scope.server();
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const logged = new HumanloopSpanExporter({ apiKey: API_KEY, baseUrl: hl.url }, { env: { HUMANLOOP_LOG_LEVEL: 'info' } });
    scope.defer(() => logged.shutdown());
    await exportOnce(logged, chatSpans(3));
    await logged.forceFlush();
    expect(info.mock.calls.flat().join(' ')).toContain(`humanloop-otel-exporter delivered 3 logs to ${new URL(hl.url).host}`);
  });
});

describe('logs refused by Humanloop', () => {
  // Each refusal names its status and the setting to check, on one line, at the default level.
  it.each([
    [401, /^humanloop-otel-exporter: 2 logs dropped: .*401.*: Humanloop refused the API key; check HUMANLOOP_API_KEY or the apiKey option \(nothing more is sent with this one\)\n$/],
    [403, /^humanloop-otel-exporter: 2 logs dropped: .*403.*: Humanloop refused the API key; check HUMANLOOP_API_KEY or the apiKey option \(nothing more is sent with this one\)\n$/],
    [413, /^humanloop-otel-exporter: 2 logs dropped: the log is too large for one request even with its texts truncated: lower maxBatchBytes, or redact the largest fields\n$/],
    [422, /^humanloop-otel-exporter: 2 logs dropped: .*422.*: the diag warnings name each log and field refused\n$/],
  ])('HTTP %i: one line naming the cause and what to check', async (status, line) => {
    diag.disable();
    const hl = await scope.server();
    hl.inject({ status }, 10);
    const stderr = captureStderr();
    const exporter = scope.exporter(hl.url);
    await exportOnce(exporter, chatSpans(2));
    await exporter.forceFlush();
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(line);
  });
});

describe('logs kept through an outage longer than maxBufferAgeMillis', () => {
  it('say so once, naming the host to check', async () => {
    diag.disable();
    const hl = await scope.server();
    hl.inject({ status: 503 }, 1_000);
    const stderr = captureStderr();
    const clock = new FakeClock();
    const exporter = scope.exporter(hl.url, { maxBufferAgeMillis: 60_000 }, clock);
    await exportOnce(exporter, chatSpans(2));
    for (let i = 0; i < 20 && stderr.length === 0; i++) {
      clock.advance(10_000);
      await exporter.forceFlush();
    }
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/^humanloop-otel-exporter: 2 logs dropped: kept through an outage longer than maxBufferAgeMillis \(.*503.*\): check that http:\/\/127\.0\.0\.1:\d+\/v4 is reachable\n$/);
  });
});

describe('logs sent to the default base URL with nothing listening there', () => {
  it('say that no base URL was set, and how to set one or start the local server', async () => {
    diag.disable();
    // Every connection refused, wherever it goes: nothing answers at the default address, whatever
    // listens on this machine's port 8787.
    const refusing = new Agent({ connect: (_options, callback) => callback(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), null) });
    scope.defer(() => refusing.close());
    const stderr = captureStderr();
    const exporter = new HumanloopSpanExporter({ apiKey: API_KEY, exportTimeoutMillis: 2_000, dispatcher: refusing }, { env: {}, clock: new FakeClock() });
    await exportOnce(exporter, chatSpans(1));
    await exporter.shutdown();
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(
      /^humanloop-otel-exporter: 1 log dropped: still undelivered at shutdown \(.*\): no base URL is set, and nothing answers at the default http:\/\/127\.0\.0\.1:8787\/v4: set baseUrl or HUMANLOOP_BASE_URL to your Humanloop-compatible API, or start one here with `npx humanloop-log-server serve`; set spoolDir to keep them for the next run\n$/,
    );
  });
});
