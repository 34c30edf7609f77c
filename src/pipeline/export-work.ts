import type { LogBook, Restoring } from '../book/log-book.js';
import { exportOrder, type ExportOrder } from '../intake/export-order.js';
import type { Intake } from '../intake/intake.js';
import type { UnlinkedLog } from '../log/unlinked-log.js';
import type { ExportId, Step } from '../log/steps.js';
import type { Clock } from '../common/clock.js';
import type { ReadableSpan } from '../common/otel.js';
import { nextTurn, SLICE_SIZE } from '../common/slices.js';
import type { TraceBatch, TraceStage } from '../trace/trace-stage.js';

export interface ExportWorkOptions {
  intake: Intake;
  trace: TraceStage;
  book: LogBook;
  clock: Clock;
  /** Carries steps to the parts they are for. */
  run(steps: Step[], owner: ExportId | undefined): void;
  /** Starts what requests there is room for. */
  pump(): void;
  /** Every span of the export has been worked through. */
  finished(owner: ExportId): void;
}

/**
 * Works through an export's spans, parents first: each span mapped (intake), its log handed to
 * the log book and placed in the trace. An export larger than a slice is not even read inside
 * `export()` (a BatchSpanProcessor calls it from the application's `span.end()`): it is worked
 * through a slice at a time afterwards, with I/O let in between.
 */
export class ExportWork {
  private _slicing = 0;

  constructor(private readonly _options: ExportWorkOptions) {}

  /** Whether an export is being worked through in slices: until its last, requests go only when full. */
  get slicing(): boolean {
    return this._slicing > 0;
  }

  /** Works through the spans now when they fit in a slice, else in slices from the next turn (the promise). */
  accept(spans: readonly ReadableSpan[], owner: ExportId, now: number): Promise<void> | undefined {
    if (spans.length > SLICE_SIZE) return this._inSlices(spans, owner, now);
    const order = exportOrder(spans);
    this._slice(order, 0, owner, this._options.trace.beginExport(order.parents), [], now);
    return undefined;
  }

  /** Logs read back from a spool, placed as an export's logs are: those with children among them are created open. */
  restore(restoring: Restoring): void {
    const { trace } = this._options;
    for (const { spanId, logId, session } of restoring.parents) trace.knownDelivered(spanId, logId, session);
    const batch = trace.beginExport(new Set(restoring.logs.map((log) => log.parentSpanId ?? '')));
    for (const log of restoring.logs) this._options.run(trace.arrive(log, batch), undefined);
    this._options.run([...trace.finish(batch), ...restoring.effects], undefined);
  }

  /** Works through every span now, whatever their number (the process is ending). */
  acceptNow(spans: readonly ReadableSpan[], owner: ExportId, now: number): void {
    const order = exportOrder(spans);
    const batch = this._options.trace.beginExport(order.parents);
    const ends: UnlinkedLog[] = [];
    for (let from = 0; from < order.spans.length; from += SLICE_SIZE) this._slice(order, from, owner, batch, ends, now);
  }

  private async _inSlices(spans: readonly ReadableSpan[], owner: ExportId, now: number): Promise<void> {
    this._slicing++;
    let slicing = true;
    try {
      await nextTurn();
      const order = exportOrder(spans);
      const batch = this._options.trace.beginExport(order.parents);
      const ends: UnlinkedLog[] = [];
      for (let from = 0; from < order.spans.length; from += SLICE_SIZE) {
        if (from > 0) await nextTurn();
        // The last slice sends what is queued, full or not.
        if (from + SLICE_SIZE >= order.spans.length) {
          slicing = false;
          this._slicing--;
        }
        this._slice(order, from, owner, batch, ends, now);
      }
    } finally {
      if (slicing) this._slicing--;
    }
  }

  /** One slice of an export; the last one also finishes it: deferred calls linked, then the ends of open logs with children in it. */
  private _slice(order: ExportOrder, from: number, owner: ExportId, batch: TraceBatch, ends: UnlinkedLog[], now: number): void {
    const { trace, book } = this._options;
    const to = Math.min(order.spans.length, from + SLICE_SIZE);
    for (let i = from; i < to; i++) this._arrive(order.spans[i], owner, batch, ends, now);
    if (to === order.spans.length) {
      this._options.run(trace.finish(batch), owner);
      for (const end of ends) this._options.run(book.created(end, owner), owner);
      this._options.finished(owner);
    }
    this._options.pump();
  }

  private _arrive(span: ReadableSpan, owner: ExportId, batch: TraceBatch, ends: UnlinkedLog[], now: number): void {
    const { intake, trace, book } = this._options;
    const arrival = intake.take(span, now);
    if (arrival.kind === 'unreadable') return this._options.run(book.unreadable(), owner);
    if (arrival.kind === 'skip') {
      trace.ended(arrival.spanId);
      return this._options.run(book.skipped(arrival.spanId, arrival.parentSpanId, arrival.reason, arrival.durationSeconds, owner), owner);
    }
    const { log } = arrival;
    if (!book.isOpen(log.spanId)) return this._options.run([...book.created(log, owner), ...trace.arrive(log, batch)], owner);
    // The end of an open log: its children in this export are linked under it before it is completed.
    trace.ended(log.spanId);
    if (batch.parents.has(log.spanId)) ends.push(log);
    else this._options.run(book.created(log, owner), owner);
  }
}
