import type { HumanloopExportError } from '../common/errors.js';

/** Why a span's end makes no log: not an LLM span, refused by `spanFilter` or `redact`, or unreadable. */
export type SkipReason = 'not_llm' | 'filtered' | 'redacted' | 'mapping_error';

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
  | 'queue_full'
  | 'duplicate';

/** Reasons you asked for: a span that is not an LLM span, or one your spanFilter or redact refused. They are not losses. */
export function isChosen(reason: SpanDropReason): boolean {
  return reason === 'not_llm' || reason === 'filtered' || reason === 'redacted';
}

/** How a log's life ended. Each log has exactly one, decided once, by the log book. */
export type Fate = 'delivered' | 'merged' | 'spooled' | SpanDropReason;

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

/** Fates counted so far: seen = delivered + merged + spooled + dropped + what is still on its way. */
export class FateCounts {
  private readonly _counts: SpanCounts = { seen: 0, delivered: 0, merged: 0, spooled: 0, dropped: {} };

  seen(count: number): void {
    this._counts.seen += count;
  }

  count(fate: Fate): void {
    if (fate === 'delivered' || fate === 'merged' || fate === 'spooled') this._counts[fate]++;
    else this._counts.dropped[fate] = (this._counts.dropped[fate] ?? 0) + 1;
  }

  get delivered(): number {
    return this._counts.delivered;
  }

  snapshot(): SpanCounts {
    return { ...this._counts, dropped: { ...this._counts.dropped } };
  }
}
