import { Accounting, type SpanCounts } from '../book/accounting.js';

/** What the exporter holds in memory now, and what became of every span it was given. */
export interface ExporterStats {
  spans: SpanCounts;
  /** Logs waiting for their parent's log; those waiting for a span not ended are bounded by `maxWaitingLogs`. */
  waitingLogs: number;
  /** Spans remembered for linking (bounded by `maxTrackedSpans`). */
  trackedSpans: number;
  /** Spans started and not ended, as HumanloopSpanProcessor reports them (bounded by `maxTrackedSpans`). */
  runningSpans: number;
  /** Logs ready and queued for a request. */
  queuedLogs: number;
  /** Logs kept through an outage, and their bytes (bounded by `maxBufferedBytes`). */
  bufferedLogs: number;
  bufferedBytes: number;
}

export function emptyStats(): ExporterStats {
  const spans = new Accounting().snapshot();
  return { spans, waitingLogs: 0, trackedSpans: 0, runningSpans: 0, queuedLogs: 0, bufferedLogs: 0, bufferedBytes: 0 };
}
