import type { SpanContext } from '@opentelemetry/api';
import { DeliveryReport } from '../book/delivery-report.js';
import { LogBook } from '../book/log-book.js';
import type { Custody } from '../custody/custody.js';
import type { Sender, Sent } from '../delivery/sender.js';
import type { ExporterStats } from './stats.js';
import { ExportLedger } from '../ledger/export-ledger.js';
import type { Restored, SpoolEntry } from '../log/spool-entry.js';
import type { ExportId, Step } from '../log/steps.js';
import { localParentSpanId, safeSpanId } from '../mapping/span-ids.js';
import { Alarm } from '../common/alarm.js';
import { Background } from '../common/background.js';
import type { ExportResult, ReadableSpan } from '../common/otel.js';
import type { TraceStage } from '../trace/trace-stage.js';
import { ExportWork } from './export-work.js';
import type { PipelineParts } from './parts.js';
import { Rounds } from './rounds.js';
import { Router } from './router.js';

/**
 * Wires the parts of the exporter and carries what each answers to the part it is for: intake
 * (span to log), the trace stage (which log waits for which), the log book (each log's life and
 * fate), the sender (requests), custody (what an outage keeps, the spool) and the export ledger
 * (which export waits for what). None of them calls another. Time reaches them through one
 * timer, here; flushes and shutdown through their rounds.
 */
export class LogPipeline {
  private readonly _trace: TraceStage;
  private readonly _book: LogBook;
  private readonly _sender: Sender;
  private readonly _custody: Custody;
  private readonly _ledger = new ExportLedger();
  /** Work still going on: exports in slices, requests and what their answers set off, the spool being read. */
  private readonly _background = new Background();
  private readonly _alarm: Alarm;
  private readonly _work: ExportWork;
  private readonly _rounds: Rounds;
  private readonly _report: DeliveryReport;
  private readonly _router: Router;
  private _closed = false;

  constructor(private readonly _parts: PipelineParts) {
    const { config, clock } = _parts;
    ({ trace: this._trace, sender: this._sender, custody: this._custody } = _parts);
    this._book = new LogBook({ completesAfterChildren: _parts.dialect.completesAfterChildren });
    this._alarm = new Alarm(clock, () => this._tick());
    this._report = new DeliveryReport(config.baseUrl, config.baseUrlIsDefault, clock.now());
    this._router = new Router({ ..._parts, book: this._book, ledger: this._ledger, report: this._report, background: this._background });
    this._work = new ExportWork({
      ..._parts,
      book: this._book,
      run: (steps, owner) => this._run(steps, owner),
      pump: () => this._pump(),
      finished: (owner) => this._finished(owner),
    });
    this._rounds = new Rounds({ ..._parts, background: this._background, exportTimeoutMillis: config.exportTimeoutMillis });
    this._background.track(this._custody.load().then((restored) => this._restore(restored)));
  }

  /** Maps, links and sends an export's spans (larger exports in slices, after this returns); calls back once. */
  accept(spans: ReadableSpan[], callback: (result: ExportResult) => void): void {
    const list = Array.isArray(spans) ? spans : [];
    this._book.seen(list.length);
    const now = this._parts.clock.now();
    const owner = this._ledger.open(callback, now + this._parts.config.exportTimeoutMillis);
    const inSlices = this._work.accept(list, owner, now);
    if (inSlices) this._background.track(inSlices);
  }

  /** A span started (HumanloopSpanProcessor), under this parent span if any. */
  recordStart(span: ReadableSpan, parent: SpanContext | undefined): void {
    this._run(this._trace.started(span, parent));
    this._pump();
  }

  /** A span HumanloopSpanProcessor's queue had no room for: never exported (an open log of it is completed all the same). */
  recordDropped(span: ReadableSpan): void {
    const spanId = span.spanContext().spanId;
    if (this._book.isOpen(spanId)) return this.accept([span], () => undefined);
    this._book.seen(1);
    this._trace.ended(spanId);
    this._run(this._book.skipped(spanId, localParentSpanId(span), 'queue_full', undefined, undefined));
    this._pump();
  }

  /** Sends what waits (opening running parents, else as roots) and what is kept, within a cutoff of a few seconds. */
  async flush(): Promise<void> {
    await this._rounds.flush({ retryKept: () => this._retryKept(true), run: (steps) => this._run(steps), pump: () => this._pump() });
    this._tell(true);
  }

  /** Logs not settled yet (open logs of spans still running included), with those of these spans not exported yet. */
  holding(queued: readonly ReadableSpan[]): number {
    return this._book.size + queued.filter((span) => !this._book.isOpen(safeSpanId(span) ?? '')).length;
  }

  /**
   * Completes the open logs of spans still running (the process ends), and flushes; again for
   * those the flush itself opened (running parents that logs waited for).
   */
  async flushAtExit(): Promise<void> {
    for (let round = 0; round < 2; round++) {
      const closing = this._book.closeRunning(this._parts.clock.wall());
      if (round > 0 && closing.length === 0) return;
      this._run(closing);
      await this.flush();
    }
  }

  /**
   * The process is ending, and only synchronous work runs: these spans (still queued) are mapped
   * now, and what is not settled is spooled (with `spoolDir`), else counted as lost. Returns how
   * many logs were spooled or lost.
   */
  exitNow(spans: ReadableSpan[]): { logs: number; spooled: boolean } {
    this._router.exiting = true;
    this._report.exiting();
    const { clock } = this._parts;
    if (spans.length > 0) {
      this._book.seen(spans.length);
      this._work.acceptNow(spans, this._ledger.open(() => undefined, clock.now()), clock.now());
    }
    const entries = this._theRest();
    const spooled = entries.length > 0 && this._custody.spoolSync(entries);
    this._settleTheRest(spooled);
    return { logs: entries.length, spooled };
  }

  /** Completes open logs of spans still running, flushes, then spools (with `spoolDir`) or counts as lost what could not go out. */
  async close(): Promise<void> {
    await this.flushAtExit();
    const entries = this._theRest();
    this._settleTheRest(entries.length > 0 && (await this._custody.spool(entries)));
    await this._background.idle();
  }

  stats(): ExporterStats {
    const { spans, restored, evaluations } = this._book.stats();
    const { waitingCount: waitingLogs, trackedCount: trackedSpans, runningCount: runningSpans } = this._trace;
    const { queuedCount: queuedLogs, activeCount: requestsInFlight } = this._sender;
    return { spans, restored, evaluations, waitingLogs, trackedSpans, runningSpans, queuedLogs, requestsInFlight, bufferedLogs: this._custody.count, bufferedBytes: this._custody.bytes };
  }

  /** At the end: the timer stopped, kept logs too old dropped, and what is left as spool entries. */
  private _theRest(): SpoolEntry[] {
    const { clock } = this._parts;
    this._closed = true;
    this._alarm.stop();
    this._run(this._book.evicted(this._custody.drain(clock.now())));
    return this._book.unsettled(clock.wall(), clock.now(), (key) => this._trace.waitsFor(key));
  }

  /** What is left is spooled (`written`) or lost; every export still open is called back. */
  private _settleTheRest(written: boolean): void {
    this._run(this._book.spooled(written));
    this._ledger.closeAll();
    this._tell(true);
  }

  private _run(steps: Step[], owner?: ExportId): void {
    this._router.run(steps, owner);
  }

  /** Every span of an export was worked through: it may call back once its logs are. */
  private _finished(owner: ExportId): void {
    this._ledger.seal(owner);
    this._retryKept(false);
    this._pump();
    this._tell();
    this._arm();
  }

  /** What the user hears of: losses, and deliveries at `info`. */
  private _tell(final = false): void {
    this._report.tell(this._parts.clock.now(), this._book.deliveredCount, final);
  }

  /** Starts what requests there is room for; while an export is still being mapped, only full ones. */
  private _pump(): void {
    for (let started = this._sender.start(this._work.slicing); started; started = this._sender.start(this._work.slicing)) {
      this._book.sending(started.keys);
      this._background.track(started.outcomes.then((sent) => this._answered(sent)));
    }
  }

  private _answered(sent: Sent[]): void {
    const now = this._parts.clock.now();
    for (const { item, outcome } of sent) this._run(this._book.answered(item.key, outcome, now));
    this._pump();
    this._tell();
    this._arm();
  }

  private _retryKept(force: boolean): void {
    const { retry, expired } = this._custody.takeDue(this._parts.clock.now(), force);
    this._run([...this._book.evicted(expired), ...this._book.retrying(retry)]);
  }

  /** Logs an earlier process spooled: linked under the parents they had, and sent. */
  private _restore(restored: Restored[]): void {
    const { clock } = this._parts;
    this._work.restore(this._book.restored(restored, clock.now(), clock.wall()));
    this._pump();
    this._arm();
  }

  /** What is due now: waits for running parents that ran out, kept logs to try again, exports long past their deadline. */
  private _tick(): void {
    const now = this._parts.clock.now();
    this._run(this._trace.expire(now));
    this._retryKept(false);
    this._ledger.expire(now);
    this._pump();
    this._tell();
    this._arm();
  }

  /** The alarm, set for the next thing due. */
  private _arm(): void {
    if (this._closed) return;
    for (const due of [this._trace.nextExpiry(), this._custody.nextRetryAt(), this._ledger.nextExpiry(), this._report.nextDue()]) {
      if (due !== undefined) this._alarm.at(due);
    }
  }
}
