import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openStore } from '../src/index.js';

const CHILD = new URL('./helpers/ingest-child.mjs', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'hl-store-kill-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

it('keeps every write it acknowledged when the writing process is killed with SIGKILL mid-ingest, and opens cleanly after', async () => {
  expect(existsSync(new URL('../dist/index.js', import.meta.url)), 'build the package first: npm run build -w humanloop-log-server').toBe(true);
  const path = join(dir, 'killed.db');
  const child = spawn(process.execPath, [CHILD, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acknowledged: string[] = [];
  let partial = '';
  const enough = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${acknowledged.length} writes acknowledged in 15 s`)), 15_000);
    child.stdout.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      acknowledged.push(...lines);
      if (acknowledged.length >= 500) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  await enough;
  const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  const store = await openStore({ db: path });
  const missing: string[] = [];
  for (const id of acknowledged) if (!(await store.get('v4', id))) missing.push(id);
  expect(missing).toEqual([]);
  expect((await store.totals()).logs).toBeGreaterThanOrEqual(acknowledged.length);
  await store.close();
});
