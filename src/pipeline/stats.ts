import { EvaluationTally, type EvaluationCounts } from '../log/evaluation.js';
import { FateCounts, type SpanCounts } from '../log/fate.js';

/** What the exporter holds in memory now, and what became of every span it was given. */
export interface ExporterStats {
  spans: SpanCounts;
  /**
   * Logs an earlier process spooled, read back here (`seen`), and what became of them: they are
   * not spans this process saw, so they are counted apart.
   */
  restored: SpanCounts;
  /**
   * Evaluations (`gen_ai.evaluation.result` events) read from spans, or from a spool, and what
   * became of them: they are not spans, so they are counted apart. Each goes once the log it
   * judges is created; one whose log is not delivered is dropped as `log_dropped`.
   */
  evaluations: EvaluationCounts;
  /** Logs waiting for their parent's log; those waiting for a span not ended are bounded by `maxWaitingLogs`. */
  waitingLogs: number;
  /** Spans remembered for linking (bounded by `maxTrackedSpans`). */
  trackedSpans: number;
  /** Spans started and not ended, as HumanloopSpanProcessor reports them (bounded by `maxTrackedSpans`). */
  runningSpans: number;
  /** Logs ready and queued for a request. */
  queuedLogs: number;
  /** Requests under way. */
  requestsInFlight: number;
  /** Logs kept through an outage, and their bytes (bounded by `maxBufferedBytes`). */
  bufferedLogs: number;
  bufferedBytes: number;
}

export function emptyStats(): ExporterStats {
  const spans = new FateCounts().snapshot();
  return { spans, restored: new FateCounts().snapshot(), evaluations: new EvaluationTally().snapshot(), waitingLogs: 0, trackedSpans: 0, runningSpans: 0, queuedLogs: 0, requestsInFlight: 0, bufferedLogs: 0, bufferedBytes: 0 };
}
