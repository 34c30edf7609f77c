import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpTransport, MAX_RESPONSE_BYTES, type Transport } from '../../src/transport/http-transport.js';
import { VERSION } from '../../src/common/version.js';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

let server: Server | undefined;
let transport: Transport | undefined;

async function serve(handler: Handler): Promise<URL> {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  transport = createHttpTransport({ apiKey: 'hl_sk_secret', connections: 4 });
  return new URL(`http://127.0.0.1:${port}/v4/logs`);
}

function post(url: URL, body = '[]', timeoutMillis = 2000) {
  return transport!.send({ method: 'POST', url, body: Buffer.from(body), timeoutMillis });
}

afterEach(async () => {
  await transport?.close();
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
  transport = undefined;
});

describe('http transport', () => {
  it('posts JSON with the key, content type and a versioned user agent, and returns the parsed body', async () => {
    let seen: IncomingMessage | undefined;
    let seenBody = '';
    const url = await serve((req, res, body) => {
      seen = req;
      seenBody = body;
      res.setHeader('content-type', 'application/json');
      res.end('[{"id":"data_1","project_id":"pr_1"}]');
    });
    const result = await post(url, '[{"project":"p"}]');
    expect(result).toEqual({ status: 'success', statusCode: 200, body: [{ id: 'data_1', project_id: 'pr_1' }] });
    expect(seen?.method).toBe('POST');
    expect(seen?.url).toBe('/v4/logs');
    expect(seen?.headers['x-api-key']).toBe('hl_sk_secret');
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(seen?.headers['user-agent']).toBe(`humanloop-otel-exporter/${VERSION} (node ${process.versions.node})`);
    expect(seenBody).toBe('[{"project":"p"}]');
  });

  // Defect: a deadline on the monotonic clock left a timeout with a fraction of a millisecond,
  // which undici refused (ERR_OUT_OF_RANGE), and every request failed as if the API were unreachable.
  it('takes a timeout with a fraction of a millisecond', async () => {
    const url = await serve((_req, res) => res.end('[]'));
    expect(await post(url, '[]', 1999.73)).toMatchObject({ status: 'success' });
  });

  it('marks 429 and 503 retryable, with Retry-After as milliseconds', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(429, { 'retry-after': '2' }).end();
    });
    const result = await post(url);
    expect(result).toMatchObject({ status: 'retryable', retryAfterMillis: 2000 });
    expect(result.status !== 'success' && result.error).toMatchObject({
      name: 'HumanloopExportError',
      reason: 'unreachable',
      statusCode: 429,
      host: url.host,
      message: `Humanloop at ${url.host} answered HTTP 429`,
    });
  });

  it('returns 4xx answers as failures with their parsed body', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(422, { 'content-type': 'application/json' }).end('{"detail":[{"loc":["body",0],"msg":"bad"}]}');
    });
    const result = await post(url);
    expect(result).toMatchObject({ status: 'failure', body: { detail: [{ loc: ['body', 0], msg: 'bad' }] } });
    expect(result.status !== 'success' && result.error).toMatchObject({ reason: 'invalid', statusCode: 422, host: url.host });
  });

  it('never follows a redirect', async () => {
    let requests = 0;
    const url = await serve((_req, res) => {
      requests++;
      res.writeHead(307, { location: 'http://127.0.0.2:1/elsewhere' }).end();
    });
    const result = await post(url);
    expect(result).toMatchObject({ status: 'failure', error: { reason: 'rejected', statusCode: 307 } });
    expect(requests).toBe(1);
  });

  it('treats a reset connection as retryable', async () => {
    const url = await serve((req) => req.socket.destroy());
    expect(await post(url)).toMatchObject({ status: 'retryable' });
  });

  it('times out a server that never answers, as retryable', async () => {
    const url = await serve(() => undefined);
    const result = await post(url, '[]', 150);
    expect(result).toMatchObject({ status: 'retryable', error: { reason: 'timeout', message: expect.stringMatching(/timeout/i) } });
  });

  it('treats a refused connection as retryable', async () => {
    const url = await serve(() => undefined);
    await new Promise((resolve) => server!.close(resolve));
    expect(await post(url)).toMatchObject({
      status: 'retryable',
      error: { reason: 'unreachable', host: url.host, message: `Request to Humanloop at ${url.host} failed: ECONNREFUSED` },
    });
  });

  it('stops reading a response larger than the cap', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`["${'x'.repeat(MAX_RESPONSE_BYTES)}"]`);
    });
    expect(await post(url)).toEqual({ status: 'success', statusCode: 200, body: undefined });
  });

  it('reads a body that is not JSON as absent', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(503).end('<html>overloaded</html>');
    });
    expect(await post(url)).toMatchObject({ status: 'retryable', error: { statusCode: 503 } });
  });

  it('never puts the key in an error', async () => {
    let sentKey: unknown;
    const url = await serve((req) => {
      sentKey = req.headers['x-api-key'];
      req.socket.destroy();
    });
    const result = await post(url);
    // The request that failed carried the key: it was there to leak.
    expect(sentKey).toBe('hl_sk_secret');
    expect(result.status).toBe('retryable');
    expect(JSON.stringify(result)).not.toContain('hl_sk_secret');
    expect(result.status !== 'success' && result.error.message).not.toContain('hl_sk_secret');
  });
});
