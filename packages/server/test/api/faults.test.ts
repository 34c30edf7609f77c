import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestInfo } from '../../src/testing/index.js';
import { until } from '../../../../test/helpers/until.js';
import { KEY, log, startClient, type Client } from './client.js';

let c: Client;

beforeEach(async () => {
  c = await startClient();
});

afterEach(() => c.server.close());

function postWithTimeout(millis: number): Promise<Response> {
  return fetch(`${c.server.url}/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: JSON.stringify(log()),
    signal: AbortSignal.timeout(millis),
  });
}

describe('status faults', () => {
  it('answer the status with Retry-After and the default body, for `times` requests, storing nothing', async () => {
    c.server.inject({ status: 429, retryAfter: '2' }, 2);
    for (let i = 0; i < 2; i++) {
      const response = await c.call('POST', '/logs', log());
      expect([response.status, response.headers.get('retry-after')]).toEqual([429, '2']);
      expect(await response.json()).toEqual({ detail: 'injected fault' });
    }
    const after = await c.call('POST', '/logs', log());
    expect([after.status, after.headers.get('retry-after')]).toEqual([200, null]);
    expect(c.server.requests().map((r) => [r.status, r.fault, r.itemCount])).toEqual([
      [429, 'status:429', 1],
      [429, 'status:429', 1],
      [200, undefined, 1],
    ]);
    expect(c.server.logs()).toHaveLength(1);
  });

  it('play in the order injected, with a given body, and after a given delay', async () => {
    c.server.inject({ status: 503, body: { detail: 'maintenance' } });
    c.server.inject({ status: 502, body: '<html>bad gateway</html>' });
    c.server.inject({ status: 500, delayMillis: 80 });
    const first = await c.call('POST', '/logs', log());
    expect([first.status, await first.json()]).toEqual([503, { detail: 'maintenance' }]);
    const second = await c.call('POST', '/logs', log());
    expect([second.status, second.headers.get('content-type'), await second.text()]).toEqual([
      502,
      'text/plain; charset=utf-8',
      '<html>bad gateway</html>',
    ]);
    const started = performance.now();
    expect((await c.call('GET', '/logs')).status).toBe(500);
    expect(performance.now() - started).toBeGreaterThanOrEqual(70);
  });

  it('answer before authentication and validation', async () => {
    c.server.inject({ status: 503 }, 2);
    expect((await c.call('POST', '/logs', log(), { 'x-api-key': 'wrong' })).status).toBe(503);
    expect((await c.call('POST', '/logs', { not: 'a log' })).status).toBe(503);
  });
});

describe('delay', () => {
  it('waits, then handles the request normally', async () => {
    c.server.inject({ delayMillis: 100 });
    const started = performance.now();
    const response = await c.call('POST', '/logs', log());
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    expect(c.server.requests()[0]?.fault).toBe('delay:100');
    expect(c.server.logs()).toHaveLength(1);
  });

  it('can outlast the client, which gives up', async () => {
    c.server.inject({ delayMillis: 300 });
    await expect(postWithTimeout(50)).rejects.toThrow();
  });
});

describe('drops', () => {
  it('reset: the connection is destroyed without an answer, and nothing is stored', async () => {
    c.server.inject({ drop: 'reset' });
    await expect(c.call('POST', '/logs', log())).rejects.toThrow();
    expect(c.server.requests()[0]).toMatchObject({ fault: 'drop:reset', status: undefined, itemCount: 1 });
    expect(c.server.logs()).toEqual([]);
    expect((await c.call('POST', '/logs', log())).status).toBe(200);
  });

  it('hang: no answer until the client gives up, and close() still finishes', async () => {
    c.server.inject({ drop: 'hang' }, 2);
    const error = await postWithTimeout(100).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('TimeoutError');
    const hung = postWithTimeout(10_000);
    const rejected = expect(hung).rejects.toThrow();
    await until(() => c.server.requests().length === 2, 'the second request to arrive');
    const started = performance.now();
    await c.server.close();
    await rejected;
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(c.server.logs()).toEqual([]);
  });
});

describe('fault plans', () => {
  it('are consulted when no fault is queued, with the request index, method and path', async () => {
    const seen: RequestInfo[] = [];
    c.server.setFaultPlan((info) => {
      seen.push(info);
      return info.index % 2 === 0 ? { status: 503 } : undefined;
    });
    c.server.inject({ status: 429 });
    expect((await c.call('POST', '/logs', log())).status).toBe(429);
    expect((await c.call('POST', '/logs?x=1', log())).status).toBe(200);
    expect((await c.call('GET', '/logs')).status).toBe(503);
    expect(seen).toEqual([
      { index: 1, method: 'POST', path: '/v4/logs?x=1' },
      { index: 2, method: 'GET', path: '/v4/logs' },
    ]);
    c.server.setFaultPlan(undefined);
    expect((await c.call('GET', '/logs')).status).toBe(200);
  });

  it('answer 500 when the plan throws, and the server carries on', async () => {
    c.server.setFaultPlan(() => {
      throw new Error('plan bug');
    });
    expect((await c.call('POST', '/logs', log())).status).toBe(500);
    c.server.setFaultPlan(undefined);
    expect((await c.call('POST', '/logs', log())).status).toBe(200);
  });

  it('refuse faults that cannot be played', () => {
    expect(() => c.server.inject({ status: 99 })).toThrow(RangeError);
    expect(() => c.server.inject({ delayMillis: -1 })).toThrow(RangeError);
    expect(() => c.server.inject({ status: 503 }, 1.5)).toThrow(RangeError);
    expect(() => c.server.inject({ status: 503, retryAfter: '1\r\nx: y' })).toThrow(TypeError);
    expect(() => c.server.inject({ drop: 'later' } as never)).toThrow(TypeError);
  });

  it('can last forever, until clear()', async () => {
    c.server.inject({ status: 503 }, Infinity);
    for (let i = 0; i < 3; i++) expect((await c.call('GET', '/logs')).status).toBe(503);
    c.server.clear();
    expect((await c.call('GET', '/logs')).status).toBe(200);
  });
});

describe('outage', () => {
  it('down() refuses connections, open ones included, and up() restores service on the same port', async () => {
    expect((await c.call('POST', '/logs', log())).status).toBe(200);
    c.server.down();
    await expect(c.call('POST', '/logs', log())).rejects.toThrow();
    await expect(c.call('GET', '/logs')).rejects.toThrow();
    c.server.up();
    expect((await c.call('POST', '/logs', log())).status).toBe(200);
    expect(c.server.logs()).toHaveLength(2);
  });
});
