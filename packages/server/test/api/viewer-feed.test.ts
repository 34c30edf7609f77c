/**
 * The trace viewer's feed over the store, on memory and SQLite, with thousands of logs and a
 * small page: `/events` sends the newest page and the cursor of the one before, not every log;
 * `/older` pages back to the first log, each log once; then only new and updated logs follow.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestLogServer } from '../../src/testing/index.js';
import { KEY } from './client.js';

const dir = mkdtempSync(join(tmpdir(), 'hl-viewer-feed-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const LOGS = 3_000;
const PAGE = 50;

interface FeedItem {
  api: string;
  log: { id: string; reference_id?: string; output?: string };
  summary: { id: string };
  change?: string;
}
interface FeedPage {
  logs: FeedItem[];
  older: string | null;
}

/** Reads server-sent events from `/events` until `enough` says so (at most 200 events, 10 s). */
async function readEvents(origin: string, enough: (events: Array<{ name: string; data: unknown }>) => boolean, whenOpen?: () => Promise<void>) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  const response = await fetch(`${origin}/events`, { signal: controller.signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const events: Array<{ name: string; data: unknown }> = [];
  let text = '';
  let opened = false;
  try {
    while (events.length < 200 && !enough(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
      for (let end = text.indexOf('\n\n'); end !== -1; end = text.indexOf('\n\n')) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const name = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (name !== undefined && data !== undefined) events.push({ name, data: JSON.parse(data) });
      }
      if (!opened && events.length > 0 && whenOpen) {
        opened = true;
        await whenOpen();
      }
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}

describe.each([
  ['memory', () => undefined],
  ['SQLite', () => join(dir, 'feed.db')],
])('the viewer feed (%s)', (_engine, dbPath) => {
  it(`sends the newest ${PAGE} of ${LOGS} logs, pages back to the first by /older, then only new and updated logs`, async () => {
    const server = await startTestLogServer({ apiKey: KEY, db: dbPath(), viewerPageSize: PAGE });
    const origin = server.url.replace(/\/v4$/, '');
    const post = (body: unknown) => fetch(`${server.url}/logs`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify(body) });
    try {
      for (let request = 0; request < LOGS / 100; request++) {
        const batch = Array.from({ length: 100 }, (_, i) => ({ project: 'feed', config: { type: 'model', model: 'gpt-4o' }, reference_id: `r${request * 100 + i}` }));
        expect((await post(batch)).status).toBe(200);
      }
      const events = await readEvents(origin, (seen) => seen.length >= 3, async () => {
        expect((await post({ project: 'feed', config: { type: 'model', model: 'gpt-4o' }, reference_id: 'live' })).status).toBe(200);
        const patch = await fetch(`${server.url}/logs?reference_id=r0`, { method: 'PATCH', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify({ output: 'late' }) });
        expect(patch.status).toBe(200);
      });
      const [snapshot, stored, updated] = events as Array<{ name: string; data: FeedPage & FeedItem }>;
      expect(snapshot.name).toBe('snapshot');
      expect(snapshot.data.logs.map((item) => item.log.reference_id)).toEqual(Array.from({ length: PAGE }, (_, i) => `r${LOGS - 1 - i}`));
      expect(snapshot.data.older).toEqual(expect.any(String));
      expect([stored.name, stored.data.change, stored.data.log.reference_id]).toEqual(['log', 'stored', 'live']);
      expect([updated.name, updated.data.change, updated.data.log.reference_id, updated.data.log.output]).toEqual(['log', 'updated', 'r0', 'late']);

      const seen = new Set(snapshot.data.logs.map((item) => item.log.reference_id));
      let older = snapshot.data.older;
      let pages = 1;
      while (older !== null && pages < LOGS / PAGE + 5) {
        const page = (await (await fetch(`${origin}/older?cursor=${encodeURIComponent(older)}`)).json()) as FeedPage;
        expect(page.logs.length).toBeLessThanOrEqual(PAGE);
        for (const item of page.logs) seen.add(item.log.reference_id);
        older = page.older;
        pages++;
      }
      expect([seen.size, pages, older]).toEqual([LOGS, LOGS / PAGE, null]);
      expect((await fetch(`${origin}/older?cursor=nonsense`)).status).toBe(422);
    } finally {
      await server.close();
    }
  }, 60_000);
});
