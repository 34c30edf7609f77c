import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../../test/helpers/until.js';

/**
 * `humanloop-log-server serve` as a user runs it: the built CLI (`npm test` builds first) in a
 * process of its own, on a free loopback port.
 */

const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const KEY = 'cli-test-key';

interface Run {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
}

const running: Run[] = [];

afterEach(async () => {
  for (const run of running.splice(0)) {
    if (run.child.exitCode !== null) continue;
    const exited = new Promise((resolve) => run.child.once('exit', resolve));
    run.child.kill('SIGTERM');
    await exited;
  }
});

function start(args: string[]): Run {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args]);
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const run = { child, stdout: () => out, stderr: () => err };
  running.push(run);
  return run;
}

async function started(run: Run): Promise<string> {
  await until(() => /Trace viewer: (\S+)/.test(run.stdout()), 'the startup lines', { timeoutMillis: 10_000 });
  return /Humanloop-compatible log server at (\S+)/.exec(run.stdout())?.[1] ?? '';
}

async function runToEnd(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, 'serve', ...args], { timeout: 10_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function post(url: string, body: unknown): Promise<Response> {
  return fetch(`${url}/logs`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify(body) });
}

const model = { project: 'p', reference_id: 'r1', config: { type: 'model', model: 'gpt-4o' }, duration: 0.5 };

describe('serve', () => {
  it('lists every option in --help', async () => {
    const { code, stdout } = await runToEnd(['--help']);
    expect(code).toBe(0);
    for (const option of ['--port', '--host', '--api-key', '--api', '--db', '--retain-days', '--retain-bytes', '--data', '--data-max-bytes', '--max-logs', '--quiet', '--json', '--allow-remote', '--allowed-host', '--help']) {
      expect(stdout).toContain(option);
    }
  });

  it('keeps logs in the SQLite file --db names across a restart, and refuses --data or --max-logs beside it, naming --db', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-cli-db-'));
    try {
      const db = join(dir, 'logs.db');
      const first = start(['--db', db, '--api-key', KEY, '--quiet', '--retain-days', '30']);
      const url = await started(first);
      await until(() => first.stdout().includes('stored).'), 'the line saying where logs are kept');
      expect(first.stdout()).toContain(`Logs are kept in the SQLite file ${db} (0 stored).`);
      expect((await post(url, { project: 'p', config: { type: 'model', model: 'gpt-4o' }, reference_id: 'kept' })).status).toBe(200);
      const exited = new Promise((resolve) => first.child.once('exit', resolve));
      first.child.kill('SIGTERM');
      await exited;
      const second = start(['--db', db, '--quiet']);
      const again = await started(second);
      await until(() => second.stdout().includes('stored).'), 'the line saying where logs are kept');
      expect(second.stdout()).toContain('(1 stored)');
      const logs = (await (await fetch(`${again}/logs`)).json()) as Array<{ reference_id: string }>;
      expect(logs.map((log) => log.reference_id)).toEqual(['kept']);
      for (const other of [['--data', join(dir, 'logs.jsonl')], ['--max-logs', '5']]) {
        const refused = await runToEnd(['--db', db, ...other]);
        expect(refused.code).toBe(2);
        expect(refused.stderr).toMatch(/with --db/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts on a PostgreSQL --db that is not up yet, saying so, and answers writes 503 with Retry-After: 5 until it is', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const run = start(['--db', `postgres://postgres:s3cret@127.0.0.1:${port}/logs`, '--api-key', KEY, '--quiet']);
    const url = await started(run);
    await until(() => run.stdout().includes('Logs are kept in'), 'the line saying where logs are kept');
    expect(run.stdout()).toContain(`Logs are kept in PostgreSQL at 127.0.0.1:${port}/logs (not reachable yet: requests get 503 until it is).`);
    expect(run.stdout()).not.toContain('s3cret');
    const answer = await post(url, { project: 'p', config: { type: 'model', model: 'gpt-4o' } });
    expect([answer.status, answer.headers.get('retry-after')]).toEqual([503, '5']);
  });

  it('suggests --port when the port is taken', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const { code, stderr } = await runToEnd(['--port', String(port)]);
      expect(code).toBe(1);
      expect(stderr).toContain(`Port ${port} on 127.0.0.1 is already in use. Choose another with --port N`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('listens on a non-loopback host only with --allow-remote and --api-key', async () => {
    const remote = await runToEnd(['--host', '0.0.0.0']);
    expect([remote.code, remote.stderr]).toEqual([2, expect.stringContaining('add --allow-remote and --api-key')]);
    const keyless = await runToEnd(['--host', '0.0.0.0', '--allow-remote']);
    expect([keyless.code, keyless.stderr]).toEqual([2, expect.stringContaining('--allow-remote needs --api-key')]);
    const port = await runToEnd(['--allowed-host', 'logs.internal:8787']);
    expect([port.code, port.stderr]).toEqual([2, expect.stringContaining('--allowed-host: "logs.internal:8787" is not a host name')]);
  });

  it('prints the page URL and each trace as a tree', async () => {
    const run = start(['--api-key', KEY]);
    const url = await started(run);
    expect(run.stdout()).toContain(`Trace viewer: ${url.replace(/\/v4$/, '/')}`);
    expect((await post(url, model)).status).toBe(200);
    await until(() => run.stdout().includes('[model]  gpt-4o  500.0 ms  id data_'), 'the tree line');
  });

  it('prints one JSON line per log with --json, and nothing after the startup lines with --quiet', async () => {
    const json = start(['--api-key', KEY, '--json']);
    const quiet = start(['--api-key', KEY, '--quiet']);
    const [jsonUrl, quietUrl] = await Promise.all([started(json), started(quiet)]);
    await post(jsonUrl, model);
    await post(quietUrl, model);
    await until(() => json.stdout().includes('"change":"stored"'), 'the JSON line');
    const line = json.stdout().trim().split('\n').at(-1) ?? '';
    expect(JSON.parse(line)).toMatchObject({ change: 'stored', api: 'v4', log: { reference_id: 'r1' } });
    // Stopped after storing its log (a tree printer would print what it holds then): still only the startup lines.
    const exited = new Promise((resolve) => quiet.child.once('exit', resolve));
    quiet.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(quiet.stdout().trim().split('\n')).toEqual([
      expect.stringContaining('Humanloop-compatible log server at'),
      expect.stringContaining('Trace viewer: http://127.0.0.1:'),
      expect.stringMatching(/^OTLP traces: POST http:\/\/127\.0\.0\.1:\d+\/v1\/traces \(LLM spans stored as v4 logs\)$/),
      'X-API-KEY must match --api-key.',
    ]);
  });
});
