import type { DropReason } from './delivery/outcome.js';
import type { SkipReason } from './mapping/map-span.js';

/** Why a span handed to `export()` produced no delivered log. */
export type SpanDropReason = SkipReason | DropReason | 'buffer_full' | 'expired';

export interface SpanCounts {
  /** Spans handed to `export()`. */
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

/**
 * Counts every span through to its end: seen = delivered + merged + spooled + dropped + what is
 * still on its way (waiting, queued, in flight or buffered).
 */
export class Accounting {
  private readonly _counts: SpanCounts = { seen: 0, delivered: 0, merged: 0, spooled: 0, dropped: {} };

  seen(count: number): void {
    this._counts.seen += count;
  }

  delivered(count = 1): void {
    this._counts.delivered += count;
  }

  merged(count = 1): void {
    this._counts.merged += count;
  }

  spooled(count = 1): void {
    this._counts.spooled += count;
  }

  dropped(reason: SpanDropReason, count = 1): void {
    this._counts.dropped[reason] = (this._counts.dropped[reason] ?? 0) + count;
  }

  snapshot(): SpanCounts {
    return { ...this._counts, dropped: { ...this._counts.dropped } };
  }

}
