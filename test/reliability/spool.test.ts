import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HumanloopSpanExporter, HumanloopSpanExporterOptions } from '../../src/index.js';
import type { TestLogServer } from '../../src/testing/index.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { captureDiag, DIALECTS, exportOnce, storedLogs } from '../helpers/harness.js';
import { spanIds } from '../helpers/logs.js';
import { testScope } from '../helpers/scope.js';
import { chatSpans } from '../helpers/spans.js';

/** `spoolDir` keeps what one process could not deliver for the next; the next must not lose it either. */

const SUFFIX = '.humanloop-spool.ndjson';

const scope = testScope();

function exporterFor(hl: TestLogServer, options: HumanloopSpanExporterOptions, clock?: FakeClock): HumanloopSpanExporter {
  return scope.exporter(hl.url, { exportTimeoutMillis: 2_000, ...options }, clock);
}

/** The files in `dir` that hold the log of `referenceId` (whatever they are named). */
function filesHolding(dir: string, referenceId: string): string[] {
  return readdirSync(dir).filter((name) => readFileSync(join(dir, name), 'utf8').includes(referenceId));
}

/** A spool file as src/delivery/spool.ts writes it: one `{"key","since","log"}` JSON line per log. */
function writeSpoolFile(dir: string, logs: Array<{ id: string; output: string }>): string {
  const name = `1700000000000-1-abcd${SUFFIX}`;
  const lines = logs.map(({ id, output }) => {
    const log = { session_reference_id: `trace-${id}`, project: 'spooled', reference_id: id, config: { type: 'model', model: 'gpt-4o' }, output };
    return `${JSON.stringify({ key: id, since: Date.parse('2026-11-22T09:59:00Z'), log })}\n`;
  });
  writeFileSync(join(dir, name), lines.join(''));
  return name;
}

describe('a spool left by an earlier process', () => {
  // Defect: the spool file is deleted as soon as it is read, before its logs are delivered: a crash then loses them.
  it('stays on disk until its logs are delivered', async () => {
    const dir = scope.tempDir();
    const hl = await scope.server();
    hl.down();
    const first = exporterFor(hl, { spoolDir: dir });
    const spans = chatSpans(3);
    const ids = spans.map((span) => span.spanContext().spanId).sort();
    await exportOnce(first, spans);
    await first.shutdown();
    expect(filesHolding(dir, ids[0])).toHaveLength(1);

    hl.up();
    hl.setFaultPlan(() => ({ status: 503 }));
    const second = exporterFor(hl, { spoolDir: dir });
    await second.forceFlush();
    expect(hl.requests().some((request) => request.status === 503), 'a delivery attempt').toBe(true);
    expect(filesHolding(dir, ids[0]), 'the spool file after a failed attempt').toHaveLength(1);

    hl.setFaultPlan(undefined);
    await second.forceFlush();
    expect(hl.logs().map((log) => log.reference_id).sort()).toEqual(ids);
    expect(filesHolding(dir, ids[0]), 'the spool file after delivery').toEqual([]);
  });

  // Defect: the spool is read synchronously in the constructor, blocking the application's start-up.
  it('is not read in the constructor, and is delivered by the first flush', async () => {
    const dir = scope.tempDir();
    writeSpoolFile(dir, [
      { id: 'a000000000000001', output: 'one' },
      { id: 'a000000000000002', output: 'two' },
    ]);
    const hl = await scope.server();
    const exporter = exporterFor(hl, { spoolDir: dir });
    expect(exporter.stats().bufferedLogs, 'logs read in the constructor').toBe(0);
    await exporter.forceFlush();
    expect(hl.logs().map((log) => log.reference_id).sort()).toEqual(['a000000000000001', 'a000000000000002']);
  });

  // Defect: the size limit is checked after reading the whole file, and compares its characters with bytes.
  it('leaves a spool file larger than maxBufferedBytes on disk, unread, with a diag warning naming it', async () => {
    const dir = scope.tempDir();
    // Cyrillic: two bytes a character in UTF-8.
    const output = 'Отчёт готов. '.repeat(60);
    const name = writeSpoolFile(
      dir,
      [1, 2, 3, 4].map((n) => ({ id: `b00000000000000${n}`, output })),
    );
    const path = join(dir, name);
    const chars = readFileSync(path, 'utf8').length;
    const bytes = statSync(path).size;
    const maxBufferedBytes = Math.floor((chars + bytes) / 2);
    expect(chars).toBeLessThan(maxBufferedBytes);
    expect(bytes).toBeGreaterThan(maxBufferedBytes);

    const diagnostics = captureDiag();
    scope.defer(diagnostics.restore);
    const hl = await scope.server();
    const exporter = exporterFor(hl, { spoolDir: dir, maxBufferedBytes });
    await exporter.forceFlush();
    expect(existsSync(path), 'the spool file is left on disk').toBe(true);
    expect(hl.logs(), 'logs sent from the spool file').toEqual([]);
    expect(hl.requests()).toEqual([]);
    expect(diagnostics.messages.some((message) => message.includes(name)), 'a diag message naming the file').toBe(true);
  });
});

describe.each(DIALECTS)('a spool file from the process before (%s)', (api) => {
  it('lets a process restarted during an outage deliver the logs of the one before it', async () => {
    const dir = scope.tempDir();
    const hl = await scope.server({ api });
    hl.down();
    const first = exporterFor(hl, { spoolDir: dir, api });
    const spans = chatSpans(12);
    await exportOnce(first, spans);
    await first.shutdown();
    expect(first.stats().spans).toMatchObject({ seen: 12, spooled: 12, delivered: 0 });
    expect(readdirSync(dir).filter((name) => name.endsWith('.ndjson'))).toHaveLength(1);

    hl.up();
    const second = exporterFor(hl, { spoolDir: dir, api });
    await second.forceFlush();
    expect(storedLogs(hl, api).map((log) => log.spanId).sort()).toEqual(spanIds(spans));
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('a spool file from the process before', () => {

  it('skips a corrupt or truncated spool file with a diag warning, never a crash', async () => {
    const dir = scope.tempDir();
    const diagnostics = captureDiag();
    scope.defer(diagnostics.restore);
    const clock = new FakeClock();
    const good = JSON.stringify({ key: 'aaaaaaaaaaaaaaaa', since: clock.now(), log: { project: 'p', reference_id: 'aaaaaaaaaaaaaaaa', config: { type: 'model', model: 'm' } } });
    writeFileSync(join(dir, '1-1-x.humanloop-spool.ndjson'), `${good}\n{"key": "bbbb", "since": 1, "log": {"proj\n\u0000garbage\n`);
    const hl = await scope.server();
    const exporter = exporterFor(hl, { spoolDir: dir }, clock);
    await exporter.forceFlush();
    expect(hl.logs().map((log) => log.reference_id)).toEqual(['aaaaaaaaaaaaaaaa']);
    expect(diagnostics.messages.some((m) => m.includes('corrupt lines'))).toBe(true);
  });
});
