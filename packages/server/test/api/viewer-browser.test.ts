import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalLogServer, type LocalLogServer } from '../../src/api/index.js';

/**
 * The trace viewer in a real headless Chromium: the demo's logs (both APIs) are written to a
 * data file, a server loads it, and the page shows the nested trace and its messages, then logs
 * that arrive later without a reload. The screenshot in the README is taken here:
 * `UPDATE_VIEWER_SCREENSHOT=1 npx vitest run test/local/viewer-browser.test.ts` writes
 * docs/viewer.png (otherwise it goes to a temporary directory).
 *
 * Needs Chromium (and the built package, which the demo imports: `npm test` builds first).
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const KEY = 'viewer-test-key';
const dir = mkdtempSync(join(tmpdir(), 'hl-viewer-'));
const dataFile = join(dir, 'logs.jsonl');
const screenshot = process.env.UPDATE_VIEWER_SCREENSHOT ? 'docs/viewer.png' : join(dir, 'viewer.png');

let browser: Browser | undefined;
let server: LocalLogServer | undefined;
let page: Page;
let origin: string;

function chromiumPath(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  throw new Error(
    `The trace viewer's browser test needs Chromium at ${CHROMIUM}. Install it with ` +
      '`sudo apt-get install -y chromium` (Debian, Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome binary.',
  );
}

async function runDemo(args: string[]): Promise<void> {
  await promisify(execFile)(process.execPath, ['examples/demo.mjs', '--data', dataFile, ...args], { timeout: 30_000 });
}

beforeAll(async () => {
  const executablePath = chromiumPath();
  await runDemo([]);
  await runDemo(['--api', 'v5']);
  server = await startLocalLogServer({ apiKey: KEY, dataFile });
  origin = server.url.replace(/\/v4$/, '');
  browser = await chromium.launch({ executablePath, timeout: 15_000 });
  page = await browser.newPage({ viewport: { width: 1400, height: 820 } });
  page.setDefaultTimeout(10_000);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${server?.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: JSON.stringify(body),
  });
}

describe('the trace viewer page', () => {
  it("shows the demo's sessions of both APIs, the nested trace and a message's text", async () => {
    await page.goto(`${origin}/`);
    await page.locator('#status', { hasText: 'live' }).waitFor();
    const agentSession = page.locator('.sessions button', { hasText: 'weather-agent' });
    await expect.poll(() => agentSession.count()).toBe(2); // the v4 agent and the v5 flow
    await page.locator('.sessions button', { hasText: 'v5' }).first().waitFor();

    await agentSession.filter({ hasText: 'v4' }).click();
    const agentRow = page.locator('#tree .row[data-kind=agent]');
    await expect.poll(() => agentRow.textContent()).toContain('weather-agent');
    const nested = page.locator('#tree li:has(> .row[data-kind=agent]) > ul > li > .row');
    expect(await Promise.all((await nested.all()).map((row) => row.getAttribute('data-kind')))).toEqual(['model', 'tool', 'model']);

    await nested.last().click();
    const details = page.locator('#detail-body');
    await expect.poll(() => details.locator('.msg.user .msg-body').first().textContent()).toBe('What is the weather in Paris?');
    expect(await details.locator('.msg.tool .msg-head').textContent()).toContain('result of');
    expect(await details.textContent()).toContain('Tokens');
    await page.screenshot({ path: screenshot });
    expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
  });

  it('shows a log that arrives later without a reload, its strings as text', async () => {
    const hostile = '<img src=x onerror="document.title=\'pwned\'">';
    const sent = await post('/logs', {
      project: 'late',
      reference_id: 'late-1',
      config: { type: 'model', model: 'late-model', provider: 'openai' },
      messages: [{ role: 'user', content: `Arrived later ${hostile}` }],
      output: hostile,
      duration: 0.25,
    });
    expect(sent.status).toBe(200);
    const late = page.locator('.sessions button', { hasText: 'openai/late-model' });
    await late.waitFor();
    await late.click();
    const message = page.locator('#detail-body .msg.user .msg-body');
    await expect.poll(() => message.textContent()).toBe(`Arrived later ${hostile}`);
    expect(await page.locator('#detail-body img, #session-list img, #tree img').count()).toBe(0);
    expect(await page.title()).toBe('Humanloop local logs');
  });

  it('filters by text, kind and error', async () => {
    const sessions = page.locator('.sessions button');
    const all = await sessions.count();
    await page.locator('#filter-error').check();
    await expect.poll(() => sessions.allTextContents()).toEqual([expect.stringContaining('rate-limited-model'), expect.stringContaining('rate-limited-model')]);
    await page.locator('#filter-error').uncheck();
    await page.locator('#filter-kind').selectOption('flow');
    await expect.poll(() => sessions.count()).toBe(1);
    await page.locator('#filter-kind').selectOption('');
    await page.locator('#filter-text').fill('arrived later');
    await expect.poll(() => sessions.allTextContents()).toEqual([expect.stringContaining('late-model')]);
    await page.locator('#filter-text').fill('');
    await expect.poll(() => sessions.count()).toBe(all);
  });
});

describe('the trace viewer page over thousands of logs', () => {
  it('draws the newest page of logs at first, and the page before each time "Load older logs" is clicked, until there is none', async () => {
    const many = await startLocalLogServer({ apiKey: KEY, viewerPageSize: 400 });
    try {
      for (let request = 0; request < 20; request++) {
        const batch = Array.from({ length: 100 }, (_, i) => ({ project: 'many', config: { type: 'model', model: 'gpt-4o' }, reference_id: `m${request * 100 + i}` }));
        const sent = await fetch(`${many.url}/logs`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: JSON.stringify(batch) });
        expect(sent.status).toBe(200);
      }
      const tab = await browser!.newPage({ viewport: { width: 1400, height: 820 } });
      tab.setDefaultTimeout(10_000);
      try {
        await tab.goto(many.url.replace(/\/v4$/, '/'));
        const counts = tab.locator('#counts');
        await expect.poll(() => counts.textContent()).toBe('400 logs · 400 sessions · older logs not loaded');
        const older = tab.locator('#load-older');
        for (let loaded = 800; loaded <= 2_000; loaded += 400) {
          await older.click();
          await expect.poll(() => counts.textContent()).toContain(`${loaded} logs`);
        }
        expect(await counts.textContent()).toBe('2000 logs · 2000 sessions');
        expect(await older.isHidden()).toBe(true);
      } finally {
        await tab.close();
      }
    } finally {
      await many.close();
    }
  }, 60_000);
});
