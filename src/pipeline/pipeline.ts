import type { SpanContext } from '@opentelemetry/api';
import { DeliveryReport } from '../book/delivery-report.js';
import { LogBook } from '../book/log-book.js';
import type { Custody } from '../custody/custody.js';
import type { Dialect } from '../delivery/dialect.js';
import type { Sender, Sent } from '../delivery/sender.js';
import type { ExporterStats } from '../exporter/stats.js';
import type { Intake } from '../intake/intake.js';
import { ExportLedger } from '../ledger/export-ledger.js';
import type { Restored } from '../log/spool-entry.js';
import type { ExportId, Step } from '../log/steps.js';
import { localParentSpanId, safeSpanId } from '../mapping/span-ids.js';
import { Alarm } from '../shared/alarm.js';
import { Background } from '../shared/background.js';
import type { ExportResult, ReadableSpan } from '../shared/otel.js';
import type { TraceStage } from '../trace/trace-stage.js';
import { ExportWork } from './export-work.js';
import type { PipelineParts } from './parts.js';
import { Rounds } from './rounds.js';

/**
 * Wires the parts of the exporter and carries what each answers to the part it is for: intake
 * (span to log), the trace stage (which log waits for which), the log book (each log's life and
 * fate), the sender (requests), custody (what an outage keeps, the spool) and the export ledger
 * (which export waits for what). None of them calls another. Time reaches them through one
 * timer, here; flushes and shutdown through their rounds.
 */
export class LogPipeline {
  private readonly _dialect: Dialect;
  private readonly _intake: Intake;
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
  private _closed = false;
  /** The process is ending: spool files are removed at once. */
  private _exiting = false;

  constructor(private readonly _parts: PipelineParts) {
    const { config, clock } = _parts;
    this._dialect = _parts.dialect;
    this._intake = _parts.intake;
    this._trace = _parts.trace;
    this._book = new LogBook({ completesAfterChildren: this._dialect.completesAfterChildren });
    this._sender = _parts.sender;
    this._custody = _parts.custody;
    this._alarm = new Alarm(clock, () => this._tick());
    this._report = new DeliveryReport(config.baseUrl, clock.now());
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

  /** Completes the open logs of spans still running (the process ends), then flushes. */
  async flushAtExit(): Promise<void> {
    this._run(this._book.closeRunning(this._parts.clock.wall()));
    await this.flush();
  }

  /**
   * The process is ending, and only synchronous work runs: these spans (still queued) are mapped
   * now, and what is not settled is spooled (with `spoolDir`), else counted as lost. Returns how
   * many logs were spooled or lost.
   */
  exitNow(spans: ReadableSpan[]): { logs: number; spooled: boolean } {
    this._exiting = true;
    this._alarm.stop();
    if (spans.length > 0) {
      this._book.seen(spans.length);
      this._work.acceptNow(spans, this._ledger.open(() => undefined, this._parts.clock.now()), this._parts.clock.now());
    }
    const { clock } = this._parts;
    this._run(this._book.evicted(this._custody.drain(clock.now())));
    const entries = this._book.unsettled(clock.wall(), clock.now(), (key) => this._trace.waitsFor(key));
    const spooled = entries.length > 0 && this._custody.spoolSync(entries);
    this._report.exiting();
    this._run(this._book.spooled(spooled));
    this._tell(true);
    return { logs: entries.length, spooled };
  }

  /** Completes open logs of spans still running, flushes, then spools (with `spoolDir`) or counts as lost what could not go out. */
  async close(): Promise<void> {
    await this.flushAtExit();
    this._closed = true;
    this._alarm.stop();
    const { clock } = this._parts;
    this._run(this._book.evicted(this._custody.drain(clock.now())));
    const entries = this._book.unsettled(clock.wall(), clock.now(), (key) => this._trace.waitsFor(key));
    const written = entries.length > 0 && (await this._custody.spool(entries));
    this._run(this._book.spooled(written));
    this._ledger.closeAll();
    this._tell(true);
    await this._background.idle();
  }

  stats(): ExporterStats {
    const { spans, restored } = this._book.stats();
    const { waitingCount: waitingLogs, trackedCount: trackedSpans, runningCount: runningSpans } = this._trace;
    const { queuedCount: queuedLogs, activeCount: requestsInFlight } = this._sender;
    return { spans, restored, waitingLogs, trackedSpans, runningSpans, queuedLogs, requestsInFlight, bufferedLogs: this._custody.count, bufferedBytes: this._custody.bytes };
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

  /** Carries each step to the part it is for, and what that part answers on, depth first: a log's story in order. */
  private _run(steps: Step[], owner?: ExportId): void {
    for (const step of steps) this._run(this._step(step, owner), owner);
  }

  private _step(step: Step, owner: ExportId | undefined): Step[] {
    const { clock, config } = this._parts;
    switch (step.kind) {
      case 'release':
        return this._book.released(step.log, step.link, step.hasChildren, owner);
      case 'open':
        return this._trace.opened(step.spanId, this._intake.open(step.span, clock.now()));
      case 'opened':
        return this._book.opened(step.log);
      case 'merged':
        return this._book.merged(step.key);
      case 'waiting':
        return this._book.waiting(step.key);
      case 'write':
        return this._book.written(this._dialect.link(step.log, step.link, step.open), clock.now());
      case 'write-completion':
        return this._book.written(this._dialect.completion(step.end, step.created), clock.now());
      case 'try-complete':
        return this._book.completion(step.key);
      case 'send': {
        const deadline = step.owner === undefined ? undefined : this._ledger.deadlineOf(step.owner);
        this._sender.enqueue(step.item, deadline ?? clock.now() + config.exportTimeoutMillis);
        return [];
      }
      case 'keep':
        return this._book.evicted(this._custody.keep(step.key, step.bytes, step.since, clock.now()));
      // What a log's fate releases joins that log's export.
      case 'delivered':
        return void this._run(this._trace.delivered(step.key, step.logId), step.owner), [];
      case 'dropped':
        return void this._run(this._trace.dropped(step.key), step.owner), [];
      case 'no-log':
        return this._trace.endedWithoutLog(step.spanId, step.parentSpanId);
      case 'kept':
        return this._trace.kept(step.key);
      case 'relink':
        return this._trace.add(step.log);
      case 'owned':
        return void this._ledger.expect(step.owner), [];
      case 'let-go':
        return void this._ledger.letGo(step.owner, step.error), [];
      case 'recovered':
        return void this._custody.recovered(), [];
      case 'lost':
        return void this._report.lost(step.reason, step.error), [];
      case 'spool-settled':
        if (this._exiting) return void this._custody.spoolSettledSync(step.file), [];
        return void this._background.track(this._custody.spoolSettled(step.file) ?? Promise.resolve()), [];
    }
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
    const restoring = this._book.restored(restored, clock.now(), clock.wall());
    for (const { spanId, logId, session } of restoring.parents) this._trace.knownDelivered(spanId, logId, session);
    // Placed as an export's logs are: those with children among them are created open.
    const batch = this._trace.beginExport(new Set(restoring.logs.map((log) => log.parentSpanId ?? '')));
    for (const log of restoring.logs) this._run(this._trace.arrive(log, batch));
    this._run([...this._trace.finish(batch), ...restoring.effects]);
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
