import { request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isLoopbackHostHeader } from '../../src/common/host-check.js';
import { isLoopbackPeer } from '../../src/api/access.js';
import { startLocalLogServer, type LocalLogServer } from '../../src/api/index.js';
import { send, type Answer } from '../../../../test/helpers/raw-request.js';

/** Who may read and write, the Host check against DNS rebinding, and no CORS, over real sockets. */

const KEY = 'access-test-key';

/** The first bytes of an event stream, then the connection closed. */
function firstEvents(port: number, host: string, untilText: string, trigger?: () => Promise<unknown>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/events', headers: { host }, timeout: 3_000 }, (res) => {
      let text = '';
      let triggered = false;
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (trigger && !triggered && text.includes('event: snapshot')) {
          triggered = true;
          void trigger();
        }
        if (text.includes(untilText)) {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** An HTTP/1.0 request without a Host header, on a raw socket; resolves with what came back. */
function noHostRequest(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write('GET /v4/logs HTTP/1.0\r\n\r\n'));
    let text = '';
    socket.setTimeout(2_000, () => socket.destroy(new Error('timed out')));
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

const corsHeaders = (answer: Answer) => Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'));

let server: LocalLogServer;
let port: number;
const host = () => `127.0.0.1:${port}`;
const logBody = JSON.stringify({ project: 'p', reference_id: 'r1', config: { type: 'model', model: 'gpt-4o' } });
const write = { 'content-type': 'application/json', 'x-api-key': KEY };

beforeEach(async () => {
  server = await startLocalLogServer({ apiKey: KEY });
  port = server.port;
});

afterEach(() => server.close());

describe('reading and writing', () => {
  it('lets this machine read both APIs and the page without a key, and refuses a wrong one', async () => {
    for (const path of ['/v4/logs', '/v5/logs', '/']) {
      expect((await send(port, 'GET', path, { host: host() })).status, path).toBe(200);
    }
    expect((await send(port, 'GET', '/v4/logs', { host: host(), 'x-api-key': 'wrong' })).status).toBe(401);
    expect((await send(port, 'GET', '/events', { host: host(), 'x-api-key': 'wrong' })).status).toBe(401);
  });

  it('still needs the key to write', async () => {
    const refused = await send(port, 'POST', '/v4/logs', { host: host(), 'content-type': 'application/json' }, logBody);
    expect(refused.status).toBe(401);
    expect((await send(port, 'POST', '/v4/logs', { host: host(), ...write }, logBody)).status).toBe(200);
    expect(server.logCount()).toBe(1);
  });

  it('serves the page with a policy that runs only its own script', async () => {
    const page = await send(port, 'GET', '/', { host: host() });
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body).toContain('<script src="viewer.js"></script>');
    expect((await send(port, 'GET', '/viewer.js', { host: host() })).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await send(port, 'POST', '/', { host: host() })).status).toBe(405);
  });
});

describe('the Host check', () => {
  it('answers loopback names only', async () => {
    for (const name of [host(), 'localhost', `localhost:${port}`, `[::1]:${port}`, '127.0.0.2', 'app.localhost']) {
      expect((await send(port, 'GET', '/v4/logs', { host: name })).status, name).toBe(200);
    }
    for (const name of ['evil.example', `evil.example:${port}`, '192.168.1.10', 'localhost.evil.example', 'x@127.0.0.1']) {
      const answer = await send(port, 'GET', '/v4/logs', { host: name });
      expect(answer.status, name).toBe(403);
      expect(answer.body).not.toContain('"project"');
    }
    expect(await noHostRequest(port)).toMatch(/^HTTP\/1\.1 403 /);
  });

  it('refuses a rebound name on every route, writes with the key included', async () => {
    const evil = { host: `rebind.example:${port}` };
    for (const path of ['/', '/viewer.js', '/events', '/v5/logs']) expect((await send(port, 'GET', path, evil)).status, path).toBe(403);
    expect((await send(port, 'POST', '/v4/logs', { ...evil, ...write }, logBody)).status).toBe(403);
    expect(server.logCount()).toBe(0);
  });

  it('still refuses a rebound name when started with allowRemote: a page on this machine reads nothing without the key', async () => {
    const remote = await startLocalLogServer({ apiKey: KEY, allowRemote: true });
    try {
      await fetch(`${remote.url}/logs`, { method: 'POST', headers: write, body: logBody });
      const evil = { host: `rebind.example:${remote.port}` };
      for (const path of ['/', '/events', '/v4/logs', '/v5/logs']) {
        const answer = await send(remote.port, 'GET', path, evil);
        expect(answer.status, path).toBe(403);
        expect(answer.body).not.toContain('"project"');
      }
      expect((await send(remote.port, 'POST', '/v4/logs', { ...evil, ...write }, logBody)).status).toBe(403);
      expect((await send(remote.port, 'GET', '/v4/logs', { host: `127.0.0.1:${remote.port}` })).status).toBe(200);
      expect(remote.logCount()).toBe(1);
    } finally {
      await remote.close();
    }
  });

  it('answers the names given in allowedHosts, with allowRemote or without', async () => {
    for (const allowRemote of [false, true]) {
      const named = await startLocalLogServer({ apiKey: KEY, allowRemote, allowedHosts: ['logs.internal', '.docker.example'] });
      try {
        for (const name of ['logs.internal:8787', 'app.docker.example', `127.0.0.1:${named.port}`]) {
          expect((await send(named.port, 'GET', '/v4/logs', { host: name })).status, name).toBe(200);
        }
        expect((await send(named.port, 'GET', '/v4/logs', { host: 'logs.internal.evil.example' })).status).toBe(403);
      } finally {
        await named.close();
      }
    }
    await expect(startLocalLogServer({ allowedHosts: ['logs.internal:8787'] })).rejects.toThrow(/allowedHosts/);
  });

  it('refuses allowRemote without a key, and a non-loopback host without allowRemote', async () => {
    await expect(startLocalLogServer({ allowRemote: true })).rejects.toThrow(/apiKey/);
    await expect(startLocalLogServer({ host: '0.0.0.0', apiKey: KEY })).rejects.toThrow(/allowRemote/);
  });
});

describe('CORS', () => {
  it('sends no CORS header on any answer, preflight included', async () => {
    const origin = { host: host(), origin: 'https://evil.example' };
    const answers = [
      await send(port, 'GET', '/', origin),
      await send(port, 'GET', '/v4/logs', origin),
      await send(port, 'GET', '/v5/logs', origin),
      await send(port, 'POST', '/v4/logs', { ...origin, ...write }, logBody),
      await send(port, 'OPTIONS', '/v4/logs', { ...origin, 'access-control-request-method': 'POST' }),
      await firstEvents(port, host(), 'event: snapshot'),
    ];
    for (const answer of answers) expect(corsHeaders(answer)).toEqual([]);
  });
});

describe('the live feed', () => {
  it('sends the newest page of logs at once, then each stored and updated log', async () => {
    await send(port, 'POST', '/v4/logs', { host: host(), ...write }, logBody);
    const patch = () =>
      send(port, 'PATCH', '/v4/logs?reference_id=r1', { host: host(), ...write }, JSON.stringify({ output: 'done', duration: 1.5 }));
    const stream = await firstEvents(port, host(), '"change":"updated"', patch);
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const events = stream.body.split('\n\n').filter((block) => block.startsWith('event:'));
    const [snapshot, updated] = events.map((block) => JSON.parse(block.split('\ndata: ')[1] ?? 'null') as Record<string, unknown>);
    expect([(snapshot?.logs as unknown[]).length, snapshot?.older]).toEqual([1, null]);
    expect(updated).toMatchObject({
      change: 'updated',
      api: 'v4',
      log: { reference_id: 'r1', output: 'done', duration: 1.5 },
      summary: { kind: 'model', name: 'gpt-4o', durationMillis: 1500 },
    });
  });
});

describe('the live feed after clear()', () => {
  it('starts every page over from an empty snapshot', async () => {
    await send(port, 'POST', '/v4/logs', { host: host(), ...write }, logBody);
    const clear = () => Promise.resolve(server.clear());
    const stream = await firstEvents(port, host(), '"logs":[]', clear);
    const snapshots = stream.body.split('\n\n').filter((block) => block.startsWith('event: snapshot'));
    expect(snapshots).toHaveLength(2);
    expect(snapshots[1]).toBe('event: snapshot\ndata: {"logs":[],"older":null}');
  });
});

describe('address checks', () => {
  it('knows loopback Host headers and peers', () => {
    expect(['localhost', 'LOCALHOST:1', '127.0.0.1:80', '[::1]', 'a.localhost', 'localhost.'].map(isLoopbackHostHeader)).toEqual([true, true, true, true, true, true]);
    expect([undefined, '', 'example.com', '[::2]', '10.0.0.1', '127.0.0.1.nip.io', 'localhost/x'].map(isLoopbackHostHeader)).toEqual(
      [false, false, false, false, false, false, false],
    );
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1'].map(isLoopbackPeer)).toEqual([true, true, true]);
    expect([undefined, '10.0.0.2', '::ffff:192.168.0.1', 'fe80::1'].map(isLoopbackPeer)).toEqual([false, false, false, false]);
  });
});
