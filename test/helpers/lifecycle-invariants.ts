import { expect } from 'vitest';
import type { ExporterStats, SpanCounts, SpanDropReason } from '../../src/index.js';
import { settledSpans, storedLogs } from './harness.js';
import { isDeliverable, serverJudgments, type ServerJudgment } from './lifecycle-evaluations.js';
import { LIMITS, type LifecycleRun, type StepTimers } from './lifecycle-rig.js';

/**
 * What must hold after every step of a generated run (lifecycle-rig.ts), once the exporters have
 * settled, and after every shutdown. Each check throws an assertion naming the invariant.
 */

/** How long past its deadline an export may still wait before the exporter fails it (the export ledger's grace). */
export const EXPORT_GRACE_MILLIS = 5_000;

/**
 * The fates that lose a log that was meant to be delivered. A span whose log was opened early and
 * never completed must have one of them; the others (not an LLM span, filtered, redacted,
 * unreadable) complete an open log rather than leave it.
 */
const LOSING: readonly SpanDropReason[] = ['invalid', 'too_large', 'unauthorized', 'rejected', 'buffer_full', 'expired', 'shutdown', 'queue_full', 'duplicate'];

export function checkAfterStep(run: LifecycleRun, timers: StepTimers): void {
  checkNothingThrown(run);
  checkCallbacks(run);
  for (const stats of run.live.map((exporter) => exporter.stats())) {
    checkFates(stats, false);
    checkBounds(stats);
  }
  for (const stats of run.finished) checkFates(stats, true);
  checkOpenLogs(run);
  checkNoLogTwice(run);
  checkTimers(timers);
  const judgments = serverJudgments(run.api, storedLogs(run.server, run.api));
  checkNoEvaluationTwice(run, judgments);
  checkEvaluationsOnTheirLog(run, judgments);
  checkEvaluationsCounted(run, judgments);
}

/** After the last shutdown: as after any step, with no process running; and every evaluation of a delivered log went, or is accounted for. */
export function checkAfterShutdown(run: LifecycleRun): void {
  checkAfterStep(run, { atOnce: 0, atOnceInFollowUp: 0, movedInFollowUp: false, exporters: 2 });
  checkEvaluationsDelivered(run);
}

/** 7. Nothing thrown into the application: no unhandled rejection, no uncaught exception, no internal error caught and reported. */
function checkNothingThrown(run: LifecycleRun): void {
  expect(run.problems, 'unhandled rejections and uncaught exceptions').toEqual([]);
  expect(run.diag.filter((message) => message.includes('internal error')), 'internal errors reported in diag').toEqual([]);
}

/**
 * 1. Every export calls back exactly once, and by its deadline: never twice; once the clock is
 * past its deadline and the ledger's grace (or its process has shut down), it has called back.
 */
function checkCallbacks(run: LifecycleRun): void {
  const now = run.clock.now();
  for (const record of run.exports) {
    const what = `callbacks of an export by the ${record.by} of process ${record.generation}`;
    expect(record.calls, what).toBeLessThanOrEqual(1);
    if (record.generation < run.generation || run.live.length === 0) expect(record.calls, `${what}, after that process shut down`).toBe(1);
    if (now >= record.deadline + EXPORT_GRACE_MILLIS) {
      expect(record.calls, `${what}, ${now - record.deadline} ms past its deadline`).toBe(1);
    }
  }
  expect(run.diag.filter((message) => message.includes('called back twice')), 'exports called back twice (diag)').toEqual([]);
}

/**
 * 2. Every span's fate is counted once: never more settled than seen; after a shutdown, exactly as
 * many. 8. So is every evaluation's: delivered + spooled + dropped, against seen.
 */
function checkFates(stats: ExporterStats, shutDown: boolean): void {
  const evaluations = stats.evaluations;
  const settled = evaluations.delivered + evaluations.spooled + sum(Object.values(evaluations.dropped), (count) => count ?? 0);
  const message = `evaluations: settled (delivered + spooled + dropped) against seen ${JSON.stringify(evaluations)}`;
  if (shutDown) expect(settled, `${message}, after a shutdown`).toBe(evaluations.seen);
  else expect(settled, message).toBeLessThanOrEqual(evaluations.seen);
  for (const [what, counts] of [['spans', stats.spans], ['restored', stats.restored]] as const) {
    const settled = settledSpans(counts);
    const message = `${what}: settled (delivered + merged + spooled + dropped) against seen ${JSON.stringify(counts)}`;
    if (shutDown) expect(settled, `${message}, after a shutdown`).toBe(counts.seen);
    else expect(settled, message).toBeLessThanOrEqual(counts.seen);
  }
}

/**
 * 5. Nothing kept past its bounds. Spans that a log is on its way for, or that logs wait for,
 * cannot be forgotten: they may take trackedSpans past its bound.
 */
function checkBounds(stats: ExporterStats): void {
  expect(stats.bufferedBytes, 'bytes kept through an outage').toBeLessThanOrEqual(LIMITS.maxBufferedBytes);
  expect(stats.waitingLogs, 'logs waiting for a parent').toBeLessThanOrEqual(LIMITS.maxWaitingLogs);
  const needed = 2 * stats.waitingLogs + stats.bufferedLogs + stats.queuedLogs;
  expect(stats.trackedSpans, `spans tracked, beyond the ${needed} that logs on their way need`).toBeLessThanOrEqual(LIMITS.maxTrackedSpans + needed);
  expect(stats.runningSpans, 'running spans tracked').toBeLessThanOrEqual(LIMITS.maxTrackedSpans);
}

/**
 * 3. Every open log is completed, or its span is accounted for: the logs the server holds open
 * (a v5 flow or agent `incomplete`, a v5 prompt or tool log still a placeholder, a v4 placeholder
 * without a duration) are at most the spans still running, plus the logs still on their way, in
 * a spool not read back yet, or dropped for a reason that loses a log. With nothing dropped and
 * nothing running (after a shutdown, or a restart and its flush with the server healthy), none is
 * left open. A v4 log stored twice (an answer lost) is left out: its other copy is the one completed.
 */
function checkOpenLogs(run: LifecycleRun): void {
  const all = [...run.finished, ...run.live.map((exporter) => exporter.stats())];
  const live = run.live.map((exporter) => exporter.stats());
  const lost = sum(all, (stats) => losing(stats.spans) + losing(stats.restored));
  const onTheirWay = sum(live, (stats) => stats.spans.seen - settledSpans(stats.spans) + stats.restored.seen - settledSpans(stats.restored));
  const unread = sum(all, (stats) => stats.spans.spooled + stats.restored.spooled - stats.restored.seen);
  const running = run.live.length > 0 ? run.runningSpans : 0;
  const twice = new Set(run.api === 'v4' ? repeated(storedLogs(run.server, 'v4').map((log) => log.spanId)) : []);
  const open = openLogs(run).filter((spanId) => !twice.has(spanId));
  const accounted = running + onTheirWay + Math.max(0, unread) + lost;
  expect(open.length, `logs left open (${open.join(', ')}), against ${running} spans running, ${onTheirWay} logs on their way, ${unread} spooled and unread, ${lost} lost`).toBeLessThanOrEqual(accounted);
}

/** 4. No log delivered twice: never in v5 (a create names its log); in v4 only where an answer was lost after the server stored the request. */
function checkNoLogTwice(run: LifecycleRun): void {
  if (run.api === 'v4' && run.lostAnAnswer()) return;
  expect(repeated(storedLogs(run.server, run.api).map((log) => log.spanId)), 'spans whose log was stored twice').toEqual([]);
}

/**
 * 6. The timer never re-arms in the past. A timer set due at once is the exporter's first
 * reaction to something that fell due in that very step (a retry's backoff moved the clock past
 * a wait's end before the exporter could look): allowed, once per exporter alive in the step.
 * Firing it must deal with what was due: after the step settles, the clock fires every timer due
 * (`advance(0)`), and that must set no timer due at once, unless the clock moved meanwhile. A
 * timer spinning at 0 ms fails this on the first step where it fires.
 */
function checkTimers(timers: StepTimers): void {
  expect(timers.atOnce, 'timers set due at once in one step').toBeLessThanOrEqual(timers.exporters);
  if (!timers.movedInFollowUp) expect(timers.atOnceInFollowUp, 'timers set due at once by firing the timers due').toBe(0);
}

/** The span ids of the logs the server holds open. */
function openLogs(run: LifecycleRun): string[] {
  if (run.api === 'v4') {
    return run.server
      .logs()
      .filter((log) => (log.metadata as { placeholder?: unknown } | undefined)?.placeholder === true && typeof log.duration !== 'number')
      .map((log) => String(log.reference_id));
  }
  return storedLogs(run.server, 'v5')
    .filter(({ log }) => {
      if (log.type === 'flow' || log.type === 'agent') return log.log_status === 'incomplete';
      return (log.metadata as { placeholder?: unknown } | undefined)?.placeholder === true;
    })
    .map((log) => log.spanId);
}

function losing(counts: SpanCounts): number {
  return LOSING.reduce((total, reason) => total + (counts.dropped[reason] ?? 0), 0);
}

function sum<T>(items: readonly T[], of: (item: T) => number): number {
  return items.reduce((total, item) => total + of(item), 0);
}

function repeated(ids: string[]): string[] {
  const seen = new Set<string>();
  return [...new Set(ids.filter((id) => seen.has(id) || !seen.add(id)))];
}

/**
 * 9. No evaluation delivered twice: each name (unique in a run) is kept once on the server, and
 * v5 evaluator logs by their log id once; in v4 an evaluation may be kept twice only where an
 * answer to feedback was lost after the server stored it.
 */
function checkNoEvaluationTwice(run: LifecycleRun, judgments: ServerJudgment[]): void {
  if (run.api === 'v5') expect(repeated(judgments.map((judgment) => judgment.ownId!)), 'v5 evaluator logs stored twice (by log id)').toEqual([]);
  if (run.api === 'v4' && lostAnEvaluationAnswer(run)) return;
  expect(repeated(judgments.map((judgment) => judgment.name)), 'evaluations stored twice').toEqual([]);
}

/**
 * 10. An evaluation goes only once its log is created, and attached to it: each on the server is
 * kept on the log of the span that recorded it (or of the call it was folded into) and names
 * that log's id; and the server never refused one on its own (it refuses an evaluation of a log
 * it does not hold), but for a v4 feedback without a value, or a fault the run played.
 */
function checkEvaluationsOnTheirLog(run: LifecycleRun, judgments: ServerJudgment[]): void {
  const recorded = new Map(run.evaluations.map((evaluation) => [evaluation.name, evaluation]));
  for (const judgment of judgments) {
    const evaluation = recorded.get(judgment.name);
    expect(evaluation, `evaluation ${judgment.name} on the server, recorded by a span of the run`).toBeDefined();
    expect([evaluation!.spanId, evaluation!.foldedInto], `the span of the log evaluation ${judgment.name} is kept on`).toContain(judgment.spanId);
    expect(judgment.names, `the log id evaluation ${judgment.name} names`).toBe(judgment.logId);
  }
  if (evaluationRequests(run).some((request) => request.fault === 'status:400' || request.fault === 'status:422')) return;
  const refused = sum(allStats(run), (stats) => (stats.evaluations.dropped.invalid ?? 0) + (stats.evaluations.dropped.rejected ?? 0));
  const withoutValue = run.evaluations.filter((evaluation) => !isDeliverable(run.api, evaluation.verdict)).length;
  expect(refused, `evaluations refused by the server (${withoutValue} have no value for the API)`).toBeLessThanOrEqual(withoutValue);
}

/** 8. The evaluations counted delivered are those the server holds (more only where an answer was lost after the server stored one). */
function checkEvaluationsCounted(run: LifecycleRun, judgments: ServerJudgment[]): void {
  const delivered = sum(allStats(run), (stats) => stats.evaluations.delivered);
  if (lostAnEvaluationAnswer(run)) expect(delivered, 'evaluations counted delivered, against those the server holds').toBeLessThanOrEqual(judgments.length);
  else expect(delivered, 'evaluations counted delivered, against those the server holds').toBe(judgments.length);
}

/**
 * 11. After the last shutdown, an evaluation the API takes, of a log the server holds, is on the
 * server, or accounted for: spooled by the last process, or dropped (other than as refused
 * without a value).
 */
function checkEvaluationsDelivered(run: LifecycleRun): void {
  const stored = storedLogs(run.server, run.api);
  const logs = new Set(stored.map((log) => log.spanId));
  const onServer = new Set(serverJudgments(run.api, stored).map((judgment) => judgment.name));
  const missing = run.evaluations.filter(
    (evaluation) => isDeliverable(run.api, evaluation.verdict) && (logs.has(evaluation.spanId) || (evaluation.foldedInto !== undefined && logs.has(evaluation.foldedInto))) && !onServer.has(evaluation.name),
  );
  const all = allStats(run);
  const spooledByLast = sum(run.finished.slice(-2), (stats) => stats.evaluations.spooled);
  const withoutValue = run.evaluations.filter((evaluation) => !isDeliverable(run.api, evaluation.verdict)).length;
  const invalid = sum(all, (stats) => stats.evaluations.dropped.invalid ?? 0);
  const dropped = sum(all, (stats) => sum(Object.values(stats.evaluations.dropped), (count) => count ?? 0)) - Math.min(invalid, withoutValue);
  const names = missing.map((evaluation) => evaluation.name).join(', ');
  expect(missing.length, `evaluations of delivered logs not on the server (${names}), against ${spooledByLast} spooled by the last process and ${dropped} dropped`).toBeLessThanOrEqual(spooledByLast + dropped);
}

function allStats(run: LifecycleRun): ExporterStats[] {
  return [...run.finished, ...run.live.map((exporter) => exporter.stats())];
}

function evaluationRequests(run: LifecycleRun) {
  return run.server.requests().filter((request) => /\/(feedback|evaluators\/log)$/.test(request.path));
}

/** Whether the server stored evaluations and answered after the client had given up (the answer lost). */
function lostAnEvaluationAnswer(run: LifecycleRun): boolean {
  return evaluationRequests(run).some((request) => request.fault?.startsWith('slow-body') === true);
}
