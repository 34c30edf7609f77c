import type { ExporterStats } from 'humanloop-otel-exporter';

/**
 * Backpressure: whether the gateway takes a request's spans now. Spans handed to the exporter
 * count as pending until its export() calls back (delivered, dropped, or kept through an
 * outage). Past `maxPendingSpans` senders are told 429 (too many requests: retry soon); when
 * the exporter keeps logs through an outage and its buffer is half full, 503 (Humanloop is not
 * taking logs: retry later), so that senders keep their spans rather than the buffer evict some.
 * Both come with `Retry-After`, so that OTLP exporters back off instead of losing spans.
 */
export interface AdmissionLimits {
  maxPendingSpans: number;
  /** The exporter's `maxBufferedBytes`: past OUTAGE_SHARE of it, requests are refused with 503. */
  maxBufferedBytes: number;
  /** Most requests being read and decoded at once. */
  maxConcurrentRequests: number;
}

export type Refusal = { status: 429 | 503; problem: string };

/**
 * The share of the exporter's outage buffer past which new spans are refused. Half, not all: the
 * buffer evicts its oldest logs to stay within its bound, so it never quite fills.
 */
const OUTAGE_SHARE = 0.5;

export class Admission {
  private _pendingSpans = 0;
  private _reading = 0;

  constructor(
    private readonly _limits: AdmissionLimits,
    private readonly _exporterStats: () => ExporterStats,
  ) {}

  get pendingSpans(): number {
    return this._pendingSpans;
  }

  /** Before reading a body: a refusal when too many are being read already. */
  startReading(): Refusal | undefined {
    if (this._reading >= this._limits.maxConcurrentRequests) {
      return { status: 429, problem: `${this._reading} requests are being read; retry shortly` };
    }
    this._reading++;
    return undefined;
  }

  doneReading(): void {
    this._reading--;
  }

  /**
   * Takes `count` spans, or refuses them. A request larger than the whole limit is still
   * taken when nothing is pending, so that no request is refused for ever.
   */
  admit(count: number): Refusal | undefined {
    const { bufferedBytes, bufferedLogs } = this._exporterStats();
    if (bufferedLogs > 0 && bufferedBytes >= this._limits.maxBufferedBytes * OUTAGE_SHARE) {
      return { status: 503, problem: 'Humanloop is not taking logs and the outage buffer is filling; retry later' };
    }
    if (this._pendingSpans > 0 && this._pendingSpans + count > this._limits.maxPendingSpans) {
      return { status: 429, problem: `${this._pendingSpans} spans are still being delivered; retry shortly` };
    }
    this._pendingSpans += count;
    return undefined;
  }

  /** The exporter called back for `count` spans taken earlier. */
  settle(count: number): void {
    this._pendingSpans -= count;
  }
}
