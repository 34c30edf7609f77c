import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startTestLogServer, type LocalLogServerOptions, type TestLogServer } from '../../src/testing/index.js';
import { dripUntilClosed } from '../../../../test/helpers/raw-request.js';
import { testScope } from '../../../../test/helpers/scope.js';
import { until } from '../../../../test/helpers/until.js';
import { KEY, log } from './client.js';

/**
 * What the local server holds is bounded: how long a client may take to send a request, how
 * many request records it keeps, how many logs. What is pushed out is counted, never silent.
 */

const scope = testScope();

async function start(options: LocalLogServerOptions): Promise<TestLogServer> {
  const server = await startTestLogServer({ apiKey: KEY, ...options });
  scope.defer(() => server.close());
  return server;
}

function post(server: TestLogServer, path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url.replace(/\/v[45]$/, '')}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(2_000),
  });
}

/** The live feed, as a page reads it: resolves with each chunk until the stream is closed. */
function openFeed(port: number): { text(): string; closed(): boolean; stop(): void } {
  let text = '';
  let closed = false;
  const req = request({ host: '127.0.0.1', port, path: '/events', headers: { host: `127.0.0.1:${port}` } }, (res) => {
    res.on('data', (chunk: Buffer) => (text += chunk.toString()));
    res.on('close', () => (closed = true));
  });
  req.on('error', () => (closed = true));
  req.end();
  return { text: () => text, closed: () => closed, stop: () => req.destroy() };
}

const SLOW_HEAD = `POST /v4/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-KEY: ${KEY}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n`;

describe('a client that takes too long to send its request', () => {
  it('gets 408 and its connection closed after requestTimeoutMillis, body or headers; the live feed stays open', async () => {
    const server = await start({ requestTimeoutMillis: 300 });
    const feed = openFeed(server.port);
    scope.defer(() => feed.stop());
    await until(() => feed.text().includes('event: snapshot'), 'the feed to open');

    expect(await dripUntilClosed(server.port, SLOW_HEAD)).toMatch(/^HTTP\/1\.1 408 /);
    expect(await dripUntilClosed(server.port, 'GET /v4/logs HTTP/1.1\r\nX-Slow: ')).toMatch(/^HTTP\/1\.1 408 /);
    // The feed is older than the timeout: a response being sent is not a request being received.
    expect((await post(server, '/v4/logs', log({ reference_id: 'after' }))).status).toBe(200);
    await until(() => feed.text().includes('"reference_id":"after"'), 'the new log on the feed');
    expect(feed.closed()).toBe(false);
  });
});

describe('request records', () => {
  it('keeps the last maxRecordedRequests, counting those pushed out; indexes go on', async () => {
    const server = await start({ maxRecordedRequests: 5 });
    for (let i = 0; i < 8; i++) expect((await post(server, '/v4/logs', log({ reference_id: `r${i}` }))).status).toBe(200);
    expect(server.requests().map((record) => record.index)).toEqual([3, 4, 5, 6, 7]);
    expect(server.logs().map((stored) => stored.request_index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(server.stats()).toMatchObject({ recordedRequests: 5, requestRecordsPushedOut: 3 });
    server.clear();
    expect([server.requests(), server.stats().requestRecordsPushedOut]).toEqual([[], 0]);
  });
});

describe('stored logs', () => {
  it('keeps at most maxLogs of each API, pushing the oldest out with one warning, counted in stats()', async () => {
    const warnings: string[] = [];
    const server = await start({ maxLogs: 3, onWarning: (message) => warnings.push(message) });
    for (let i = 1; i <= 5; i++) expect((await post(server, '/v4/logs', log({ reference_id: `r${i}` }))).status).toBe(200);
    expect(server.logs().map((stored) => stored.reference_id)).toEqual(['r3', 'r4', 'r5']);
    expect(server.logCount()).toBe(3);
    const read = (await (await fetch(`${server.url}/logs`, { headers: { 'x-api-key': KEY } })).json()) as unknown[];
    expect(read).toHaveLength(3);
    expect(server.stats()).toMatchObject({ storedLogs: 3, logsPushedOut: 2 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/maxLogs \(3\).*oldest/);

    // A pushed-out log is gone: it cannot be completed, and is no parent.
    const patch = await fetch(`${server.url}/logs?reference_id=r1`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify({ output: 'late' }),
    });
    expect(patch.status).toBe(404);
    expect((await post(server, '/v4/logs', log({ reference_id: 'c', parent_reference_id: 'r2' }))).status).toBe(422);
    expect((await post(server, '/v4/logs', log({ reference_id: 'd', parent_reference_id: 'r5' }))).status).toBe(200);

    for (let i = 1; i <= 4; i++) expect((await post(server, '/v5/prompts/log', { path: `qa/p${i}`, prompt: { model: 'gpt-4o' } })).status).toBe(200);
    expect(server.v5Logs().map((stored) => stored.path)).toEqual(['qa/p2', 'qa/p3', 'qa/p4']);
    expect(server.stats()).toMatchObject({ storedLogs: 6, logsPushedOut: 4 });
    expect(warnings).toHaveLength(1);
  });
});
