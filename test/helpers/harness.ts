import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { vi } from 'vitest';
import { HumanloopSpanExporter, type HumanloopSpanExporterOptions, type SpanCounts } from '../../src/index.js';
import { startTestLogServer, type TestLogServer, type LocalLogServerOptions } from 'humanloop-log-server/testing';
import { FakeClock } from './fake-clock.js';
import { CALLED_BACK_TWICE, secondCallbacks } from './second-callbacks.js';

export const API_KEY = 'hl_test_9f3c1a7e-distinctive-key';

/** The Humanloop API versions the exporter speaks; suites that hold for both run for each. */
export const DIALECTS = ['v4', 'v5'] as const;
export type Dialect = (typeof DIALECTS)[number];

/** A stored log of either API, as the tests compare them: by the span it came from, and its parent's. */
export interface Stored {
  spanId: string;
  id: string;
  /** The parent's span id, when the log names a parent (v4: its reference id; v5: by its returned id). */
  parentSpanId: string | undefined;
  /** The parent's log id as the log names it (`trace_parent_id`). */
  parentId: string | undefined;
  log: Record<string, unknown>;
}

export interface Harness {
  api: Dialect;
  server: TestLogServer;
  exporter: HumanloopSpanExporter;
  clock: FakeClock;
  /** What the server stored, of the harness's API. */
  stored(): Stored[];
  /** The span ids of the stored logs, sorted, duplicates kept. */
  storedSpanIds(): string[];
  /** Every export's results, to check each callback fires exactly once. */
  exportAll(spans: ReadableSpan[]): Promise<ExportResult>;
  close(): Promise<void>;
}

/**
 * A local log server on a free loopback port (expecting API_KEY unless `server` says otherwise)
 * and an exporter pointed at it with API_KEY, on a fake clock unless `fakeClock` is false.
 */
export async function startHarness(
  options: HumanloopSpanExporterOptions = {},
  { fakeClock = true, server: serverOptions = {}, api = 'v4' }: { fakeClock?: boolean; server?: LocalLogServerOptions; api?: Dialect } = {},
): Promise<Harness> {
  const server = await startTestLogServer({ apiKey: API_KEY, api, ...serverOptions });
  const clock = new FakeClock();
  const exporter = new HumanloopSpanExporter(
    { api, apiKey: API_KEY, baseUrl: server.url, ...options },
    fakeClock ? { clock, random: () => 0.5, env: {} } : { env: {} },
  );
  const stored = () => storedLogs(server, api);
  return {
    api,
    server,
    exporter,
    clock,
    stored,
    storedSpanIds: () => stored().map((log) => log.spanId).sort(),
    exportAll: (spans) => exportOnce(exporter, spans),
    close: async () => {
      await exporter.shutdown();
      await server.close();
    },
  };
}

/** How long after the export callback a second (wrong) call may still show up and be caught. */
const SECOND_CALL_GRACE_MILLIS = 10;

/**
 * Exports and resolves with the result, a little after the callback: it rejects if the callback
 * fires more than once, or if the exporter reported meanwhile that it called an export back
 * twice (its guard reports a second call rather than passing it on, so the callback here never
 * sees one). A second call that would come only later (at an export's deadline on a fake clock
 * that stands still, or at shutdown) is caught after the test by test/helpers/no-second-callbacks.ts.
 */
export function exportOnce(exporter: HumanloopSpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  const reportedBefore = secondCallbacks();
  return new Promise((resolve, reject) => {
    let calls = 0;
    exporter.export(spans, (result) => {
      calls++;
      if (calls > 1) return reject(new Error('export callback called more than once'));
      setTimeout(() => {
        if (secondCallbacks() > reportedBefore) reject(new Error(`the exporter reported: ${CALLED_BACK_TWICE}`));
        else if (calls === 1) resolve(result);
      }, SECOND_CALL_GRACE_MILLIS);
    });
  });
}

/** Spans whose fate is settled: delivered, merged, spooled or dropped (for any reason). */
export function settledSpans(counts: SpanCounts): number {
  const dropped = Object.values(counts.dropped).reduce((sum, n) => sum + n, 0);
  return counts.delivered + counts.merged + counts.spooled + dropped;
}

/** Captures every diag message at the most verbose level. */
export function captureDiag(): { messages: string[]; restore: () => void } {
  const messages: string[] = [];
  const record = (...args: unknown[]) => messages.push(args.map(String).join(' '));
  const logger: DiagLogger = { error: record, warn: record, info: record, debug: record, verbose: record };
  diag.setLogger(logger, { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true });
  return { messages, restore: () => diag.disable() };
}

/** Captures what is written to stderr, a chunk per write (until `vi.restoreAllMocks()`), and writes nothing. */
export function captureStderr(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}

/** The logs a server stored for one API, in the shape the tests compare. */
export function storedLogs(server: TestLogServer, api: Dialect): Stored[] {
  if (api === 'v4') {
    return server.logs().map((log) => ({
      spanId: String(log.reference_id),
      id: log.id,
      parentSpanId: log.parent_reference_id,
      parentId: log.trace_parent_id,
      log: log as unknown as Record<string, unknown>,
    }));
  }
  const logs = server.v5Logs();
  const spanOf = (log: Record<string, unknown>) => String((log.metadata as { otel?: { span_id?: string } } | undefined)?.otel?.span_id);
  const spanById = new Map(logs.map((log) => [log.id, spanOf(log)]));
  return logs.map((log) => {
    const parentId = typeof log.trace_parent_id === 'string' ? log.trace_parent_id : undefined;
    return { spanId: spanOf(log), id: log.id, parentSpanId: parentId && spanById.get(parentId), parentId, log };
  });
}
