import { execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, readdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { HumanloopSpanExporter, HumanloopSpanExporterOptions, SpanCounts } from '../../src/index.js';
import { claimName, spoolName, tempName, type Owner } from '../../src/custody/spool-names.js';
import { newOwner } from '../../src/custody/spool-owner.js';
import type { TestLogServer } from 'humanloop-log-server/testing';
import { FakeClock } from '../helpers/fake-clock.js';
import { API_KEY, captureDiag, DIALECTS, exportOnce, storedLogs } from '../helpers/harness.js';
import { spanIds } from '../helpers/logs.js';
import { testScope } from '../helpers/scope.js';
import { chatSpans } from '../helpers/spans.js';
import { until } from '../helpers/until.js';

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

/** A spool file as src/custody/spool.ts writes it: one `{"key","since","log"}` JSON line per log. */
function writeSpoolFile(dir: string, logs: Array<{ id: string; output: string }>, writtenAt = '1700000000000'): string {
  const name = `${writtenAt}-1-abcd${SUFFIX}`;
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

/**
 * Spools each group of spans through an exporter of its own that cannot reach `hl` (each in a
 * directory of its own, so that none reads another's file), then moves the files into `dir`. Their
 * clocks read the real time, so that a process of its own does not find the logs too old to send.
 */
async function spoolInFiles(hl: TestLogServer, dir: string, groups: ReturnType<typeof chatSpans>[]): Promise<void> {
  hl.down();
  for (const group of groups) {
    const own = scope.tempDir();
    const clock = new FakeClock();
    clock.time = Date.now();
    const exporter = exporterFor(hl, { spoolDir: own }, clock);
    await exportOnce(exporter, group);
    await exporter.shutdown();
    for (const name of readdirSync(own)) renameSync(join(own, name), join(dir, name));
  }
  hl.up();
}

describe('a spoolDir shared by two exporters', () => {
  // Defect: both exporters read and sent every spool file: 10 logs stored for 5 spans.
  it('has each spooled log read and delivered by one of them only', async () => {
    const dir = scope.tempDir();
    const hl = await scope.server();
    const spans = chatSpans(5);
    await spoolInFiles(hl, dir, [spans.slice(0, 2), spans.slice(2, 4), spans.slice(4)]);
    expect(readdirSync(dir).filter((name) => name.endsWith(SUFFIX))).toHaveLength(3);

    const one = exporterFor(hl, { spoolDir: dir });
    const other = exporterFor(hl, { spoolDir: dir });
    await Promise.all([one.forceFlush(), other.forceFlush()]);
    expect(hl.logs().map((log) => log.reference_id).sort()).toEqual(spanIds(spans));
    expect(one.stats().restored.delivered + other.stats().restored.delivered).toBe(5);
    expect(readdirSync(dir)).toEqual([]);
  });

  // The same with two processes of their own (the built package: `npm test` builds first), started
  // together; requests are answered slowly, so that each still holds what it read when the other starts.
  it('has each spooled log delivered by one of two processes started together', async () => {
    const dir = scope.tempDir();
    const hl = await scope.server();
    const spans = chatSpans(6);
    await spoolInFiles(hl, dir, [spans.slice(0, 2), spans.slice(2, 4), spans.slice(4)]);
    hl.setFaultPlan(() => ({ delayMillis: 300 }));

    const counts = await Promise.all([runChild(hl.url, dir), runChild(hl.url, dir)]);
    expect(hl.logs().map((log) => log.reference_id).sort()).toEqual(spanIds(spans));
    expect(counts[0].delivered + counts[1].delivered).toBe(6);
    expect(readdirSync(dir)).toEqual([]);
  }, 30_000);
});

describe('a spool file claimed by a process that is gone', () => {
  it('is taken over and delivered by the next start on the same host', async () => {
    const dir = scope.tempDir();
    const hl = await scope.server();
    const spans = chatSpans(3);
    await spoolInFiles(hl, dir, [spans]);
    hl.setFaultPlan(() => ({ drop: 'hang' }));
    const child = spawn(process.execPath, [CHILD, hl.url, dir, API_KEY, 'hold'], { stdio: 'ignore' });
    const exited = once(child, 'exit');
    try {
      await until(() => !readdirSync(dir).some((name) => name.endsWith(SUFFIX)), 'the child to claim the spool file', { timeoutMillis: 10_000 });
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    expect(hl.logs()).toEqual([]);

    hl.setFaultPlan(undefined);
    const next = exporterFor(hl, { spoolDir: dir });
    await next.forceFlush();
    expect(hl.logs().map((log) => log.reference_id).sort()).toEqual(spanIds(spans));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is taken over from an earlier process that had this process\'s pid', async () => {
    const dir = scope.tempDir();
    const base = writeSpoolFile(dir, [{ id: 'c000000000000001', output: 'one' }]);
    const earlier: Owner = { ...newOwner(), started: Date.now() - 60_000 };
    renameSync(join(dir, base), join(dir, claimName(base, earlier, Date.now())));
    const hl = await scope.server();
    await exporterFor(hl, { spoolDir: dir }).forceFlush();
    expect(hl.logs().map((log) => log.reference_id)).toEqual(['c000000000000001']);
  });

  it('is left to a process on another host for an hour after it claimed it, then taken over', async () => {
    const dir = scope.tempDir();
    const elsewhere: Owner = { host: '00000000', pid: process.pid, started: Date.now(), token: '0000000a' };
    const recent = writeSpoolFile(dir, [{ id: 'd000000000000001', output: 'recent' }], '1700000000001');
    renameSync(join(dir, recent), join(dir, claimName(recent, elsewhere, Date.now() - 50 * 60_000)));
    const old = writeSpoolFile(dir, [{ id: 'd000000000000002', output: 'old' }], '1700000000002');
    renameSync(join(dir, old), join(dir, claimName(old, elsewhere, Date.now() - 70 * 60_000)));
    const hl = await scope.server();
    await exporterFor(hl, { spoolDir: dir }).forceFlush();
    expect(hl.logs().map((log) => log.reference_id)).toEqual(['d000000000000002']);
    expect(filesHolding(dir, 'd000000000000001')).toHaveLength(1);
  });
});

describe('temporary files in the spool directory', () => {
  // Defect: a temporary file left by a crash in the middle of writing a spool file was never removed.
  it('are removed at start when left by a process that is gone, or older than an hour, with a debug line', async () => {
    const dir = scope.tempDir();
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    const fromGone = tempName(spoolName({ ...newOwner(), pid: gone }, Date.now(), 0));
    const fromEarlierVersion = `1700000000000-1-abcd${SUFFIX}.tmp`;
    const beingWritten = tempName(spoolName(newOwner(), Date.now(), 0));
    for (const name of [fromGone, fromEarlierVersion, beingWritten]) writeFileSync(join(dir, name), '{"key":');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60_000);
    utimesSync(join(dir, fromEarlierVersion), twoHoursAgo, twoHoursAgo);

    const diagnostics = captureDiag();
    scope.defer(diagnostics.restore);
    const hl = await scope.server();
    await exporterFor(hl, { spoolDir: dir }).forceFlush();
    expect(readdirSync(dir)).toEqual([beingWritten]);
    for (const name of [fromGone, fromEarlierVersion]) {
      expect(diagnostics.messages.some((message) => message.includes(name)), `a debug line naming ${name}`).toBe(true);
    }
  });
});

describe('a planted spool file', () => {
  // Defect: a line's route went into the request path unchecked, as did the ids of a completion.
  it('cannot make keyed requests to other paths: lines with an unknown route or odd ids are skipped as corrupt', async () => {
    const dir = scope.tempDir();
    const hl = await scope.server({ api: 'v5' });
    hl.down();
    const spans = chatSpans(2);
    const first = exporterFor(hl, { spoolDir: dir, api: 'v5' });
    await exportOnce(first, spans);
    await first.shutdown();
    const [written] = readdirSync(dir);
    const genuine = JSON.parse(readFileSync(join(dir, written), 'utf8').split('\n')[0]) as Record<string, unknown>;
    const { since, log, trace } = genuine;
    // Lines of earlier versions (a linked log, its route and what it completes) and of this one (a completion, what it completes).
    const linked = (key: string, fields: Record<string, unknown>) => ({ key, since, ...fields, log });
    const completion = (key: string, created: Record<string, unknown>) => ({ v: 2, kind: 'complete', key, since, trace, created, log });
    const planted = [
      linked('planted-1', { route: '../../admin' }),
      linked('planted-2', { route: 'logs?debug=1' }),
      linked('planted-3', { completes: { spanId: 'a1a1a1a1a1a1a1a1', created: { logId: 'log_1', fileId: '..', route: 'prompts' } } }),
      completion('planted-4', { logId: 5, route: 'flows' }),
      completion('planted-5', { logId: 'log_2', route: '..' }),
      completion('planted-6', { logId: 'a/b', route: 'flows' }),
    ];
    writeFileSync(join(dir, `1700000000000-1-abcd${SUFFIX}`), planted.map((line) => `${JSON.stringify(line)}\n`).join(''));

    const diagnostics = captureDiag();
    scope.defer(diagnostics.restore);
    hl.up();
    await exporterFor(hl, { spoolDir: dir, api: 'v5' }).forceFlush();
    expect(storedLogs(hl, 'v5').map((log) => log.spanId).sort()).toEqual(spanIds(spans));
    expect(hl.requests().map((request) => `${request.method} ${request.path}`)).toEqual(['POST /v5/prompts/log', 'POST /v5/prompts/log']);
    expect(diagnostics.messages.some((message) => message.includes('skipped 6 corrupt lines'))).toBe(true);
  });
});

describe.skipIf(process.platform === 'win32')('the modes of the spool, whose logs hold prompts', () => {
  // Defect: spool files were 0644 in a 0755 directory.
  it('are 0600 for its files, and 0700 for the directories it makes', async () => {
    const parent = scope.tempDir();
    const dir = join(parent, 'spool', 'logs');
    const hl = await scope.server();
    hl.down();
    const exporter = exporterFor(hl, { spoolDir: dir });
    await exportOnce(exporter, chatSpans(2));
    await exporter.shutdown();
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(modeOf(join(dir, files[0])), 'the spool file').toBe('600');
    expect(modeOf(join(parent, 'spool')), 'the directory made').toBe('700');
    expect(modeOf(dir), 'the directory made').toBe('700');
  });

  it('gets one diag warning when the directory it was given is open to other users, and leaves its mode alone', async () => {
    const dir = scope.tempDir();
    chmodSync(dir, 0o755);
    const diagnostics = captureDiag();
    scope.defer(diagnostics.restore);
    const hl = await scope.server();
    hl.down();
    for (let run = 0; run < 2; run++) {
      const exporter = exporterFor(hl, { spoolDir: dir });
      await exportOnce(exporter, chatSpans(1));
      await exporter.shutdown();
    }
    expect(diagnostics.messages.filter((message) => message.includes(dir) && message.includes('other users'))).toHaveLength(1);
    expect(modeOf(dir)).toBe('755');
  });
});

describe('writing the spool from an exit handler', () => {
  // New: an exporter must be able to spool what it holds when its process exits, where nothing asynchronous runs.
  it('writes the logs synchronously (0600), and removes the file they were read from, for the next exporter to deliver', async () => {
    const dir = scope.tempDir();
    const planted = writeSpoolFile(dir, [
      { id: 'e100000000000001', output: 'one' },
      { id: 'e100000000000002', output: 'two' },
    ]);
    await promisify(execFile)(process.execPath, [EXIT_CHILD, dir], { timeout: 10_000 });
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).not.toBe(planted);
    expect(files[0].endsWith(SUFFIX)).toBe(true);
    if (process.platform !== 'win32') expect(modeOf(join(dir, files[0]))).toBe('600');

    const hl = await scope.server();
    await exporterFor(hl, { spoolDir: dir }).forceFlush();
    expect(hl.logs().map((log) => log.reference_id).sort()).toEqual(['e100000000000001', 'e100000000000002']);
  });
});

const EXIT_CHILD = new URL('../helpers/spool-exit-child.mjs', import.meta.url).pathname;

/** A file's permission bits, in octal. */
function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

const CHILD = new URL('../helpers/spool-child.mjs', import.meta.url).pathname;

/** Runs test/helpers/spool-child.mjs on `dir` to its end; its counts of logs restored from the spool. */
async function runChild(url: string, dir: string): Promise<SpanCounts> {
  const { stdout } = await promisify(execFile)(process.execPath, [CHILD, url, dir, API_KEY], { timeout: 20_000 });
  return JSON.parse(stdout) as SpanCounts;
}
