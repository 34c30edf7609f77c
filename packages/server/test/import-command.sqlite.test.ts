import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openStore } from '../src/index.js';
import { buildExportDir } from './helpers/export-dir.js';

const CLI = new URL('../dist/cli.js', import.meta.url).pathname;
const built = buildExportDir();
const dir = mkdtempSync(join(tmpdir(), 'hl-import-cli-'));
afterAll(async () => {
  await rm(built.dir, { recursive: true, force: true });
  await rm(dir, { recursive: true, force: true });
});

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the command ran over 60 s: ${stderr}`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

it('imports an export into a SQLite file as a command: exit 1 naming each skipped line, then exit 1 again with nothing new; exit 2 on a usage error', async () => {
  expect(existsSync(CLI), 'build the package first: npm run build -w humanloop-log-server').toBe(true);
  const db = join(dir, 'imported.db');
  const first = await run(['import', built.dir, '--db', db]);
  expect(first.code).toBe(1);
  expect(first.stdout).toContain(`${built.logs.toLocaleString('en-US')} logs new, 0 already there`);
  for (const where of built.skipped) expect(first.stdout).toContain(`  ${where}: `);
  // Not a terminal: the progress line once, at the end.
  expect(first.stderr.trim().split('\n')).toHaveLength(1);
  expect(first.stderr).toMatch(/^import: .* 5 skipped\n$/);

  const again = await run(['import', built.dir, '--db', db]);
  expect(again.code).toBe(1);
  expect(again.stdout).toContain(`0 logs new, ${built.logs.toLocaleString('en-US')} already there`);
  const store = await openStore({ db });
  expect((await store.totals()).logs).toBe(built.logs);
  await store.close();

  expect((await run(['import', built.dir])).code).toBe(2);
  const notExport = await run(['import', dir, '--db', db]);
  expect(notExport.code).toBe(2);
  expect(notExport.stderr).toContain('is not a Humanloop export directory');
});

it('exits 0 with "nothing skipped" when every line of the export was imported', async () => {
  const clean = buildExportDir({ bad: false });
  try {
    const result = await run(['import', clean.dir, '--db', join(dir, 'clean.db')]);
    expect(result.stdout).toContain('nothing skipped');
    expect(result.code).toBe(0);
  } finally {
    await rm(clean.dir, { recursive: true, force: true });
  }
});
