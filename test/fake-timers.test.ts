import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { afterEach, expect, it, vi } from 'vitest';
import { HumanloopSpanExporter } from '../src/index.js';
import { startTestLogServer } from 'humanloop-log-server/testing';
import { API_KEY } from './helpers/harness.js';
import { chatSpans } from './helpers/spans.js';

afterEach(() => vi.useRealTimers());

it('delivers a large export while the application’s tests run on fake timers', async () => {
  const server = await startTestLogServer({ apiKey: API_KEY });
  const exporter = new HumanloopSpanExporter({ apiKey: API_KEY, baseUrl: server.url }, { env: {} });
  const spans = chatSpans(200);
  vi.useFakeTimers({ toFake: ['setImmediate', 'setTimeout', 'clearTimeout'] });
  const result = await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
  vi.useRealTimers();
  expect(result).toEqual({ code: ExportResultCode.SUCCESS });
  expect(server.logCount()).toBe(200);
  await exporter.shutdown();
  await server.close();
});
