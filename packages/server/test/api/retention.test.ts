/** `startLocalLogServer({ db, retainBytes })` (`serve --retain-bytes`): past the bound, the oldest logs go, in the background after a write. */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startLocalLogServer } from '../../src/index.js';
import { eventually } from '../helpers/engines.js';
import { KEY } from './client.js';

const dir = mkdtempSync(join(tmpdir(), 'hl-server-retention-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

it('removes the oldest logs once the logs take more than retainBytes, keeping the newest', async () => {
  const server = await startLocalLogServer({ apiKey: KEY, db: join(dir, 'kept.db'), retainBytes: 5_000 });
  try {
    const logs = Array.from({ length: 10 }, (_, i) => ({ project: 'p', config: { type: 'model', model: 'gpt-4o' }, reference_id: `r${i}`, output: 'x'.repeat(1_000) }));
    expect((await fetch(`${server.url}/logs`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify(logs) })).status).toBe(200);
    const stored = async () => ((await (await fetch(`${server.url}/logs`)).json()) as Array<{ reference_id: string }>).map((log) => log.reference_id);
    await eventually(async () => (await stored()).length < 10, 'the oldest logs to be removed');
    const kept = await stored();
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).toEqual(logs.slice(10 - kept.length).map((log) => log.reference_id));
    expect(kept.length * 1_000).toBeLessThanOrEqual(5_000);
  } finally {
    await server.close();
  }
});
