import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { HumanloopSpanExporter, type HumanloopSpanExporterOptions } from '../../src/index.js';
import { startTestLogServer, type TestLogServer } from 'humanloop-log-server/testing';
import { FakeClock } from './fake-clock.js';
import { API_KEY } from './harness.js';

/**
 * What a test file's tests start (servers, exporters, directories), closed after each test,
 * newest first. Call once at the top of a file.
 */
export function testScope() {
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    /** Runs `cleanup` after the test. */
    defer(cleanup: () => unknown): void {
      cleanups.push(cleanup);
    },
    async server(options: { api?: 'v4' | 'v5' } = {}): Promise<TestLogServer> {
      const server = await startTestLogServer({ apiKey: API_KEY, ...options });
      cleanups.push(() => server.close());
      return server;
    },
    /** An exporter pointed at `url`, on `clock` (a new fake clock by default). */
    exporter(url: string, options: HumanloopSpanExporterOptions = {}, clock = new FakeClock()): HumanloopSpanExporter {
      const exporter = new HumanloopSpanExporter({ apiKey: API_KEY, baseUrl: url, ...options }, { clock, random: () => 0.5, env: {} });
      cleanups.push(() => exporter.shutdown());
      return exporter;
    },
    tempDir(): string {
      const dir = mkdtempSync(join(tmpdir(), 'hl-test-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      return dir;
    },
  };
}
