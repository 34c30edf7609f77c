import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { HumanloopSpanExporter, type HumanloopSpanExporterOptions } from '../../src/index.js';
import { startTestLogServer, type Fault } from 'humanloop-log-server/testing';
import { captureDiag, exportOnce, startHarness, type Harness } from '../helpers/harness.js';
import { referenceIds, spanIds } from '../helpers/logs.js';
import { chatSpans } from '../helpers/spans.js';
import { until } from '../helpers/until.js';

/** A key no test output, diag message, error or statistic may ever contain. */
const SECRET = 'hl_sk_SECRET-7f3a9c0e-do-not-leak';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A harness whose server expects SECRET and whose exporter sends it. */
async function setup(options: HumanloopSpanExporterOptions = {}, fakeClock = true): Promise<Harness> {
  const harness = await startHarness(
    { apiKey: SECRET, exportTimeoutMillis: 10_000, timeoutMillis: 300, ...options },
    { fakeClock, server: { apiKey: SECRET } },
  );
  cleanups.push(() => harness.close());
  return harness;
}

/** Something that answers 307 to every request, pointing at `location`; `keys` are the X-API-KEYs it was sent. */
async function redirector(location: (port: number) => string): Promise<{ url: string; keys: () => unknown[] }> {
  const keys: unknown[] = [];
  const server: Server = createServer((req, res) => {
    keys.push(req.headers['x-api-key']);
    res.writeHead(307, { location: location((server.address() as AddressInfo).port) }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v4`, keys: () => [...keys] };
}

const FAULTS: Array<[string, Fault]> = [
  ['503', { status: 503 }],
  ['500 storm', { status: 500 }],
  ['429 with Retry-After', { status: 429, retryAfter: '1' }],
  ['429 without Retry-After', { status: 429 }],
  ['a reset mid-request', { drop: 'reset' }],
  ['a server that never answers', { drop: 'hang' }],
  ['a body that is not JSON', { status: 502, body: '<html>Bad gateway</html>' }],
  ['a huge error body', { status: 503, body: { detail: 'x'.repeat(6 * 1024 * 1024) } }],
];

describe('faults over real sockets', () => {
  it.each(FAULTS)('recovers from %s (three times in a row), delivering every log once', async (_name, fault) => {
    const { server, exporter } = await setup();
    server.inject(fault, 3);
    const spans = chatSpans(5);
    expect(await exportOnce(exporter, spans)).toEqual({ code: ExportResultCode.SUCCESS });
    expect(referenceIds(server.logs())).toEqual(spanIds(spans));
  });

  it('retries an answer whose body is too slow; the at-least-once duplicate keeps its reference_id', async () => {
    const { server, exporter } = await setup({ timeoutMillis: 100 }, false);
    server.inject({ slowBodyMillis: 400 });
    const spans = chatSpans(2);
    expect((await exportOnce(exporter, spans)).code).toBe(ExportResultCode.SUCCESS);
    // Stored by the slow request and again by the retry: the duplicate is recognisable by its reference_id.
    expect(referenceIds(server.logs())).toEqual(spanIds([...spans, ...spans]));
    expect(server.requests().map((request) => request.fault)).toEqual(['slow-body:400', undefined]);
  });

  it('reads a huge success body no further than its cap, and still succeeds', async () => {
    const { server, exporter } = await setup();
    server.inject({ status: 200, body: ['x'.repeat(6 * 1024 * 1024)] });
    expect((await exportOnce(exporter, chatSpans(1))).code).toBe(ExportResultCode.SUCCESS);
  });

  it('never follows a redirect, so the key never reaches another host', async () => {
    const target = await startTestLogServer();
    cleanups.push(() => target.close());
    const bouncer = await redirector(() => `${target.url}/logs`);
    const exporter = new HumanloopSpanExporter({ apiKey: SECRET, baseUrl: bouncer.url }, { env: {} });
    cleanups.push(() => exporter.shutdown());
    const result = await exportOnce(exporter, chatSpans(1));
    expect(result.code).toBe(ExportResultCode.FAILED);
    // The key went to the host configured, once, and no further.
    expect(bouncer.keys()).toEqual([SECRET]);
    expect(target.requests()).toHaveLength(0);
  });

  it('resolves shutdown by its deadline against a server that never answers', async () => {
    const { server, exporter } = await setup({ exportTimeoutMillis: 600, timeoutMillis: 200 }, false);
    server.setFaultPlan(() => ({ drop: 'hang' }));
    const exported = exportOnce(exporter, chatSpans(3));
    // A hang here would fail the test by its timeout: shutdown must end by the export deadline.
    await exporter.shutdown();
    expect((await exported).code).toBe(ExportResultCode.FAILED);
    expect(exporter.stats().spans.dropped.shutdown).toBe(3);
  });

  it('returns from export() before any request, whatever the network does', async () => {
    const { server, exporter } = await setup({ exportTimeoutMillis: 500 }, false);
    server.setFaultPlan(() => ({ drop: 'hang' }));
    let result: ExportResult | undefined;
    exporter.export(chatSpans(200), (answer) => (result = answer));
    // export() returned with the callback still to come; the requests go out afterwards.
    expect(result).toBeUndefined();
    await until(() => server.requests().length > 0, 'the first request');
    // The server hangs: the callback waits for the outcome, not for export() to return.
    expect(result).toBeUndefined();
    await exporter.shutdown();
    expect(result?.code).toBe(ExportResultCode.FAILED);
  });
});

describe('the API key never leaks', () => {
  it('is absent from diag output at the most verbose level, errors and stats across every fault', async () => {
    const diagnostics = captureDiag();
    cleanups.push(diagnostics.restore);
    const texts: string[] = [];
    for (const [name, fault] of [...FAULTS, ['401', { status: 401 }] as [string, Fault], ['422', { status: 422 }] as [string, Fault]]) {
      const { server, exporter } = await setup({ exportTimeoutMillis: 1_000 });
      server.setFaultPlan(() => fault);
      const result = await exportOnce(exporter, chatSpans(2));
      // Every request carried the key (the server records it as present): it was there to leak.
      const requests = server.requests();
      expect(requests.length, name).toBeGreaterThan(0);
      expect(requests.filter((request) => request.headers['x-api-key'] !== '[present]'), name).toEqual([]);
      texts.push(String(result.error?.message), String(result.error?.stack), JSON.stringify(exporter.stats()));
      texts.push(JSON.stringify(requests));
    }
    const bouncer = await redirector((port) => `http://127.0.0.1:${port}/elsewhere`);
    const exporter = new HumanloopSpanExporter({ apiKey: SECRET, baseUrl: bouncer.url }, { env: {} });
    cleanups.push(() => exporter.shutdown());
    const result = await exportOnce(exporter, chatSpans(1));
    expect(bouncer.keys()).toEqual([SECRET]);
    expect(result.error?.message).toMatch(/redirects are not followed/);
    texts.push(String(result.error?.message));
    expect(() => new HumanloopSpanExporter({ apiKey: SECRET, baseUrl: 'ftp://nope' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining(SECRET) }),
    );
    // The paths that report a failure in diag ran: retries at debug level, the refused key, the 422.
    for (const expected of [/retrying POST/, /refused the API key/, /refused the log \(422\)/]) {
      expect(diagnostics.messages.some((message) => expected.test(message)), String(expected)).toBe(true);
    }
    for (const text of [...texts, ...diagnostics.messages]) expect(text).not.toContain(SECRET);
  });
});
