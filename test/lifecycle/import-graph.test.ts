import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { API_KEY, storedLogs } from '../helpers/harness.js';
import { testScope } from '../helpers/scope.js';

/**
 * What importing the exporter loads: a serverless function pays for it on every cold start, so
 * what a span does not need until it is sent waits until then. The built package, as users run it.
 */

const scope = testScope();
const SCRIPT = new URL('./scripts/import-graph.cjs', import.meta.url).pathname;

/** The packages and the package's own files loaded at each step of the script. */
interface Loaded {
  constructed: string[];
  serverStarted: string[];
  chatStarted: string[];
}

async function runApp(url: string): Promise<Loaded> {
  const { stdout } = await promisify(execFile)(process.execPath, [SCRIPT, url, API_KEY], { timeout: 20_000 });
  return JSON.parse(stdout) as Loaded;
}

describe('importing the exporter and constructing its processor', () => {
  it('loads the one file of the built package (and its require), not undici, the CLI or the log server', async () => {
    const hl = await scope.server();
    const { constructed } = await runApp(hl.url);
    expect(constructed.filter((name) => name.startsWith('dist/'))).toEqual(['dist/index.js', 'dist/package-require.cjs']);
    expect(constructed).not.toContain('undici');
    expect(constructed.some((name) => name.includes('humanloop-log-server'))).toBe(false);
  });

  it('loads undici when a span that will be logged starts, not for other spans, and delivers', async () => {
    const hl = await scope.server();
    const { serverStarted, chatStarted } = await runApp(hl.url);
    expect(serverStarted).not.toContain('undici');
    expect(chatStarted).toContain('undici');
    expect(storedLogs(hl, 'v4')).toHaveLength(1);
  });
});
