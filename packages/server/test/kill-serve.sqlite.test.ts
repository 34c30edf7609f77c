/**
 * `humanloop-log-server serve --db file.db` killed with SIGKILL while clients post logs: every log
 * the server answered 200 for is in the file when a new server opens it, and reads back through
 * HTTP. The built CLI in a process of its own; the clients are this test, over loopback.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { until } from '../../../test/helpers/until.js';
import { startTestLogServer } from '../src/testing/index.js';

const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const KEY = 'kill-test-key';
const dir = mkdtempSync(join(tmpdir(), 'hl-serve-kill-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Four clients posting v4 batches of 5 and v5 logs until the server is gone; what it acknowledged. */
async function postUntilGone(url: string, acknowledged: { v4: string[]; v5: string[] }, stop: () => boolean): Promise<void> {
  const headers = { 'content-type': 'application/json', 'x-api-key': KEY };
  const client = async (n: number) => {
    for (let i = 0; i < 100_000 && !stop(); i++) {
      try {
        if (n % 2 === 0) {
          const batch = Array.from({ length: 5 }, (_, j) => ({ project: 'kill', config: { type: 'model', model: 'gpt-4o' }, output: `client ${n} request ${i} log ${j}` }));
          const response = await fetch(`${url}/v4/logs`, { method: 'POST', headers, body: JSON.stringify(batch) });
          if (response.status === 200) acknowledged.v4.push(...((await response.json()) as Array<{ id: string }>).map((log) => log.id));
        } else {
          const body = { path: 'kill/prompt', prompt: { model: 'gpt-4o' }, output: `client ${n} request ${i}` };
          const response = await fetch(`${url}/v5/prompts/log`, { method: 'POST', headers, body: JSON.stringify(body) });
          if (response.status === 200) acknowledged.v5.push(((await response.json()) as { id: string }).id);
        }
      } catch {
        return; // The server is gone: the connection was refused or cut.
      }
    }
  };
  await Promise.all([0, 1, 2, 3].map(client));
}

it('keeps every log it answered 200 for when serve --db is killed with SIGKILL mid-ingest, and serves them after a restart', async () => {
  expect(existsSync(CLI), 'build the package first: npm run build -w humanloop-log-server').toBe(true);
  const db = join(dir, 'killed.db');
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--db', db, '--api-key', KEY, '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const acknowledged = { v4: [] as string[], v5: [] as string[] };
  let killed = false;
  let posting: Promise<void> | undefined;
  try {
    await until(() => /log server at (\S+)\/v4 /.test(out), 'the server to start', { timeoutMillis: 10_000 });
    const origin = /log server at (\S+)\/v4 /.exec(out)?.[1] ?? '';
    posting = postUntilGone(origin, acknowledged, () => killed);
    await until(() => acknowledged.v4.length >= 500 && acknowledged.v5.length >= 100, 'enough acknowledged logs', { timeoutMillis: 30_000 });
  } finally {
    // Killed whether or not the waits succeeded: a failed wait leaves no server or client running.
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    killed = true;
    await posting;
  }

  const restarted = await startTestLogServer({ db, apiKey: KEY });
  try {
    const missing: string[] = [];
    for (const [api, ids] of [['v4', acknowledged.v4], ['v5', acknowledged.v5]] as const) {
      for (const id of ids) if ((await fetch(`${restarted.url.replace(/\/v4$/, '')}/${api}/logs/${id}`)).status !== 200) missing.push(`${api} ${id}`);
    }
    expect(missing).toEqual([]);
  } finally {
    await restarted.close();
  }
}, 90_000);
