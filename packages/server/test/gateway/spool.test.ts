import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startOtlpGateway } from '../../src/gateway/index.js';
import { startTestLogServer } from '../../src/testing/index.js';
import { API_KEY } from '../../../../test/helpers/harness.js';
import { until } from '../../../../test/helpers/until.js';

const spoolDir = mkdtempSync(join(tmpdir(), 'hl-gateway-spool-'));
afterAll(() => rmSync(spoolDir, { recursive: true, force: true }));

function request(count: number): string {
  const spans = Array.from({ length: count }, (_, i) => ({
    traceId: `${String(i).padStart(2, '0')}${'a'.repeat(30)}`,
    spanId: `${String(i).padStart(2, '0')}${'b'.repeat(14)}`,
    name: `chat ${i}`,
    startTimeUnixNano: '1767225600000000000',
    endTimeUnixNano: '1767225601000000000',
    attributes: [
      { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
      { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
    ],
  }));
  return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
}

describe('the gateway with a spool directory', () => {
  it('spools what Humanloop did not take by shutdown, and the next gateway delivers it', async () => {
    const server = await startTestLogServer({ apiKey: API_KEY });
    try {
      server.down();
      // Short exports, so that the first gives up soon (an attempt needs a second before its deadline).
      const exporter = { apiKey: API_KEY, baseUrl: server.url, spoolDir, exportTimeoutMillis: 2_000 };
      const first = await startOtlpGateway({ port: 0, exporter });
      const response = await fetch(`${first.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: request(5) });
      expect(response.status).toBe(200);
      await until(() => first.stats().spans.pending === 0, 'the export to give up', { timeoutMillis: 10_000 });
      await first.close();
      expect(first.stats().exporter.spans).toMatchObject({ seen: 5, delivered: 0, spooled: 5 });
      expect(readdirSync(spoolDir).length).toBeGreaterThan(0);
      expect(server.logs()).toHaveLength(0);

      server.up();
      const second = await startOtlpGateway({ port: 0, exporter });
      try {
        // Read back at start and sent without waiting for an export or a flush.
        await until(() => server.logs().length === 5, 'the spooled logs', { timeoutMillis: 10_000 });
        expect(new Set(server.logs().map((log) => log.reference_id)).size).toBe(5);
      } finally {
        await second.close();
      }
    } finally {
      await server.close();
    }
  }, 30_000);
});
