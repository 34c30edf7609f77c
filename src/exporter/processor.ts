import { TraceFlags, type Context } from '@opentelemetry/api';
import type { HumanloopSpanExporterOptions } from '../config/config.js';
import { baggageSelection, type BaggageSelection } from '../context/baggage-entries.js';
import type { HumanloopContextOptions } from '../context/context-processor.js';
import { stampContext } from '../context/stamp.js';
import { describeError, logger } from '../common/diag.js';
import { HumanloopSpanExporter, type ExporterInternals } from './exporter.js';
import type { ReadableSpan, SpanProcessor } from '../common/otel.js';

/** The processor's queue of ended spans. */
export interface SpanQueueOptions {
  /** Most ended spans queued; beyond it spans are dropped and counted as `queue_full`. Default 2 048. */
  maxQueueSize?: number;
  /** Most spans handed to the exporter at once. Default 512. */
  maxExportBatchSize?: number;
  /** Longest a span waits in the queue. Default 5 000. */
  scheduledDelayMillis?: number;
}

export interface HumanloopSpanProcessorOptions extends HumanloopSpanExporterOptions, HumanloopContextOptions {
  /** The queue of ended spans (the names of the BatchSpanProcessor's `BufferConfig`). */
  batch?: SpanQueueOptions;
}

const DEFAULTS = { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 5000 };
/** Exports handed over and not yet called back, outside of a flush; beyond it spans queue. */
const MAX_EXPORTS_IN_FLIGHT = 4;

/**
 * The recommended way in: a span processor with a HumanloopSpanExporter inside that sees span
 * starts as well as ends. A parent is logged as soon as its first child that will be logged
 * starts (completed when it ends), so a flush takes one round trip at any depth; logs never wait
 * for ancestors that will not be sent (an HTTP server span, a span not sampled); and
 * `forceFlush()` sends everything. It writes the request's context (`withHumanloop`, and baggage
 * when asked) on spans as they start. It queues ended spans itself (the exporter batches its
 * requests), works under the 2.x and 3.x SDKs alike, and `forceFlush()` and `shutdown()` never
 * reject.
 */
export class HumanloopSpanProcessor implements SpanProcessor {
  readonly exporter: HumanloopSpanExporter;
  private readonly _options: typeof DEFAULTS;
  private readonly _baggage: BaggageSelection | undefined;
  private _queue: ReadableSpan[] = [];
  private _timer: NodeJS.Timeout | undefined;
  private readonly _exports = new Set<Promise<void>>();
  private _shutdown: Promise<void> | undefined;

  constructor(options: HumanloopSpanProcessorOptions = {}, internals?: ExporterInternals) {
    const { batch, baggage, ...exporterOptions } = options;
    this._baggage = baggageSelection(baggage);
    this.exporter = new HumanloopSpanExporter(exporterOptions, internals);
    this.exporter.watchQueue(() => this._takeQueue());
    const maxQueueSize = positive(batch?.maxQueueSize, DEFAULTS.maxQueueSize);
    this._options = {
      maxQueueSize,
      // A batch larger than the queue could never fill.
      maxExportBatchSize: Math.min(maxQueueSize, positive(batch?.maxExportBatchSize, DEFAULTS.maxExportBatchSize)),
      scheduledDelayMillis: positive(batch?.scheduledDelayMillis, DEFAULTS.scheduledDelayMillis),
    };
  }

  onStart(span: ReadableSpan, parentContext: Context): void {
    if (this._shutdown) return;
    // First, so that a parent logged early carries the request's context too.
    stampContext(span, parentContext, this._baggage);
    this.exporter.recordSpanStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    // A span not sampled is never exported; its start told the exporter so.
    if (this._shutdown || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this._queue.length >= this._options.maxQueueSize) return this.exporter.recordSpanDropped(span);
    this._queue.push(span);
    if (this._queue.length >= this._options.maxExportBatchSize) this._exportQueued(false);
    else this._timer ??= unrefTimeout(() => this._exportQueued(false), this._options.scheduledDelayMillis);
  }

  /**
   * Hands over every queued span at once and flushes the exporter, which sends them with
   * everything else it holds, trying for a few seconds at most; then the exports have called back.
   */
  async forceFlush(): Promise<void> {
    try {
      this._exportQueued(true);
      await this.exporter.forceFlush();
      await Promise.all(this._exports);
    } catch (error) {
      logger.error(`could not flush: ${describeError(error)}`);
    }
  }

  /** Flushes, then shuts the exporter down (which spools or counts what could not go out). */
  shutdown(): Promise<void> {
    this._shutdown ??= this._close();
    return this._shutdown;
  }

  private async _close(): Promise<void> {
    try {
      this._exportQueued(true);
      await this.exporter.shutdown();
      await Promise.all(this._exports);
    } catch (error) {
      logger.error(`could not shut down: ${describeError(error)}`);
    }
  }

  /** Exports queued spans, a batch at a time, up to the in-flight limit (all of them when `all`). */
  private _exportQueued(all: boolean): void {
    clearTimeout(this._timer);
    this._timer = undefined;
    while (this._queue.length > 0 && (all || this._exports.size < MAX_EXPORTS_IN_FLIGHT)) {
      this._export(this._queue.splice(0, this._options.maxExportBatchSize));
    }
    if (this._queue.length > 0) this._timer = unrefTimeout(() => this._exportQueued(false), this._options.scheduledDelayMillis);
  }

  /** Every queued span, taken: the process is ending without shutdown(). */
  private _takeQueue(): ReadableSpan[] {
    clearTimeout(this._timer);
    this._timer = undefined;
    return this._queue.splice(0);
  }

  private _export(spans: ReadableSpan[]): void {
    const done = new Promise<void>((resolve) => this.exporter.export(spans, () => resolve()));
    this._exports.add(done);
    void done.then(() => {
      this._exports.delete(done);
      if (this._queue.length >= this._options.maxExportBatchSize) this._exportQueued(false);
    });
  }
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback;
}

function unrefTimeout(callback: () => void, millis: number): NodeJS.Timeout {
  const timer = setTimeout(callback, millis);
  timer.unref();
  return timer;
}
