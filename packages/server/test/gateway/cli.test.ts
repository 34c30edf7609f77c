import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestLogServer, type TestLogServer } from '../../src/testing/index.js';
import { API_KEY } from '../../../../test/helpers/harness.js';
import { until } from '../../../../test/helpers/until.js';

/**
 * `humanloop-log-server gateway` as users run it: the built CLI (`npm test` builds first) in a
 * process of its own, stopped with SIGTERM.
 */
const CLI = new URL('../../dist/cli.js', import.meta.url).pathname;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

let server: TestLogServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('the gateway command', () => {
  it('is listed, and starts, receives, delivers and stops on SIGTERM with exit code 0', async () => {
    const { stdout: help } = await promisify(execFile)(process.execPath, [CLI, '--help'], { timeout: 10_000 });
    expect(help).toMatch(/^\s+gateway\s+an OTLP\/HTTP receiver/m);

    server = await startTestLogServer({ apiKey: API_KEY });
    const child = spawn(process.execPath, [CLI, 'gateway', '--port', '0'], {
      env: { ...process.env, HUMANLOOP_API_KEY: API_KEY, HUMANLOOP_BASE_URL: server.url, HUMANLOOP_GATEWAY_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = once(child, 'exit');
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    try {
      await until(() => /OTLP gateway at (\S+)\/v1\/traces/.test(output), 'the gateway to start', { timeoutMillis: 10_000 });
      const url = /OTLP gateway at (\S+)\/v1\/traces/.exec(output)![1];
      const span = {
        traceId: TRACE,
        spanId: '00f067aa0ba902b7',
        name: 'chat',
        startTimeUnixNano: '1767225600000000000',
        endTimeUnixNano: '1767225601000000000',
        attributes: [
          { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
          { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
        ],
      };
      const response = await fetch(`${url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }),
      });
      expect(response.status).toBe(200);
      await until(() => server!.logs().length === 1, 'the log', { timeoutMillis: 10_000 });
      expect(server.logs()[0]).toMatchObject({ reference_id: span.spanId, config: { model: 'gpt-4o' } });
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    expect(code).toBe(0);
  });

  it('exits 1 suggesting --port when its port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const run = promisify(execFile)(process.execPath, [CLI, 'gateway', '--port', String(port)], {
        env: { ...process.env, HUMANLOOP_API_KEY: API_KEY },
        timeout: 10_000,
      });
      await expect(run).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining(`Port ${port} on 127.0.0.1 is already in use. Choose another with --port N`),
      });
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('exits 1 naming the variable and the flag it takes a key from when it has no Humanloop key', async () => {
    const run = promisify(execFile)(process.execPath, [CLI, 'gateway', '--port', '0'], {
      env: { ...process.env, HUMANLOOP_API_KEY: '' },
      timeout: 10_000,
    });
    const failure = (await run.catch((error: unknown) => error)) as { code?: number; stderr: string };
    expect(failure.code).toBe(1);
    expect(failure.stderr).toContain('HUMANLOOP_API_KEY');
    expect(failure.stderr).toContain('--api-key-file FILE');
    // The CLI has no such option: only the library does.
    expect(failure.stderr).not.toContain('apiKey option');
  });
});
