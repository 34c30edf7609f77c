import type { HumanloopExportError } from '../shared/errors.js';
import type { SkipReason } from '../mapping/map-span.js';

/** Why a span handed to the exporter produced no delivered log. */
export type SpanDropReason =
  | SkipReason
  | 'invalid'
  | 'too_large'
  | 'unauthorized'
  | 'rejected'
  | 'buffer_full'
  | 'expired'
  | 'shutdown'
  | 'queue_full';

export interface SpanCounts {
  /** Spans handed to `export()`, and spans HumanloopSpanProcessor's queue had no room for. */
  seen: number;
  /** Spans whose log Humanloop accepted. */
  delivered: number;
  /** LLM spans folded into the log of an enclosing span that recorded the same call. */
  merged: number;
  /** Logs written to `spoolDir` at shutdown, for the next process to deliver. */
  spooled: number;
  /** Spans without a delivered log, by reason. */
  dropped: Partial<Record<SpanDropReason, number>>;
}

/** The drop reason of a log that failed for good with this error. */
export function dropReasonOf(error: HumanloopExportError): SpanDropReason {
  switch (error.reason) {
    case 'unauthorized':
    case 'invalid':
    case 'too_large':
    case 'shutdown':
      return error.reason;
    default:
      return 'rejected';
  }
}

/**
 * Counts every span through to its end: seen = delivered + merged + spooled + dropped + what is
 * still on its way (waiting, queued, in flight or buffered).
 */
export class Accounting {
  private readonly _counts: SpanCounts = { seen: 0, delivered: 0, merged: 0, spooled: 0, dropped: {} };

  seen(count: number): void {
    this._counts.seen += count;
  }

  delivered(): void {
    this._counts.delivered++;
  }

  merged(): void {
    this._counts.merged++;
  }

  spooled(): void {
    this._counts.spooled++;
  }

  dropped(reason: SpanDropReason): void {
    this._counts.dropped[reason] = (this._counts.dropped[reason] ?? 0) + 1;
  }

  /** A span's log settled: delivered, spooled for the next process, or dropped for this reason. */
  count(fate: SpanDropReason | 'delivered' | 'spooled'): void {
    if (fate === 'delivered') this.delivered();
    else if (fate === 'spooled') this.spooled();
    else this.dropped(fate);
  }

  snapshot(): SpanCounts {
    return { ...this._counts, dropped: { ...this._counts.dropped } };
  }
}
