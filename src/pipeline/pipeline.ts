import type { SpanContext } from '@opentelemetry/api';
import type { ExportResult } from '../shared/otel.js';
import type { ReadableSpan } from '../shared/otel.js';
import { Accounting, dropReasonOf, type SpanDropReason } from '../book/accounting.js';
import { Alarm, Background } from '../shared/background.js';
import type { ResolvedConfig } from '../exporter/config.js';
import { Custody, type Evicted, type Kept } from '../custody/custody.js';
import type { Clock } from '../shared/clock.js';
import type { Dialect, LogOutcome, OutgoingLog } from '../delivery/dialect.js';
import { Sender, type Sent } from '../delivery/sender.js';
import { v4Dialect } from '../delivery/v4-dialect.js';
import { v5Dialect } from '../delivery/v5-dialect.js';
import { pathResolver } from '../mapping/file-path.js';
import { logger } from '../shared/diag.js';
import { HumanloopExportError, isTransient, type ExportErrorReason } from '../shared/errors.js';
import { ExportLedger, type ExportEntry } from '../ledger/export-ledger.js';
import { Intake, traceCodec, type Entry, type Pending } from '../intake/intake.js';
import { localParentSpanId } from '../mapping/span-ids.js';
import { nextTurn, SLICE_SIZE } from '../shared/slices.js';
import { exportOrder, type ExportOrder } from '../intake/export-order.js';
import { type ExporterStats } from '../exporter/stats.js';
import { TraceStage, type TraceDecision } from '../trace/trace-stage.js';
import type { Transport } from '../transport/http-transport.js';

const MAX_FLUSH_ROUNDS = 8;
/** The longest a flush (or shutdown) keeps trying to deliver before it keeps what is left for later. */
const FLUSH_RETRY_MILLIS = 5_000;

type Fate = SpanDropReason | 'delivered' | 'spooled';

function fateOf(outcome: LogOutcome): Fate {
  return outcome.delivered ? 'delivered' : dropReasonOf(outcome.error);
}

function logsUrl(baseUrl: URL): URL {
  const url = new URL(baseUrl);
  url.pathname = `${url.pathname}/logs`;
  return url;
}

function failure(reason: ExportErrorReason, message: string): Extract<LogOutcome, { delivered: false }> {
  return { delivered: false, error: new HumanloopExportError(reason, message) };
}

/**
 * Wires the stages, each of which answers with data and calls no one: intake (span → encoded
 * log), the trace stage (which log waits for which), the sender (requests and their outcomes),
 * custody (what an outage keeps) and the export ledger (which export waits for what). Time
 * reaches them through one timer, here.
 */
export class LogPipeline {
  private readonly _dialect: Dialect;
  private readonly _intake: Intake;
  private readonly _trace: TraceStage<Pending>;
  private readonly _sender: Sender;
  private readonly _custody: Custody;
  private readonly _ledger = new ExportLedger();
  private readonly _accounting = new Accounting();
  /** Work still going on: exports in slices, requests and what their answers set off, the spool being read. */
  private readonly _background = new Background();
  private readonly _alarm: Alarm;
  /** Set at shutdown, after the last flush: what is released from then on is spooled, not sent. */
  private _unsent: Kept[] | undefined;
  /** Exports being worked through in slices, whose later slices are still to come. */
  private _slicing = 0;

  constructor(
    private readonly _config: ResolvedConfig,
    transport: Transport,
    private readonly _clock: Clock,
    random: () => number,
  ) {
    const { maxBatchBytes, maxConcurrentRequests } = _config;
    // No request can take longer than an export may, and one with half of that left still starts.
    const timeoutMillis = Math.min(_config.timeoutMillis, _config.exportTimeoutMillis);
    this._dialect = _config.api === 'v5' ? v5Dialect(_config.baseUrl) : v4Dialect(logsUrl(_config.baseUrl), _config.maxBatchSize);
    this._intake = new Intake(_config, _config.api === 'v5' ? pathResolver(_config.path) : undefined);
    const codec = traceCodec(this._dialect);
    const intake = this._intake;
    this._trace = new TraceStage({
      ..._config,
      codec,
      completesAfterChildren: this._dialect.completesAfterChildren,
      isExported: (span) => intake.isExported(span),
      open: (span, now) => intake.open(span, now),
    });
    this._sender = new Sender({ dialect: this._dialect, transport, clock: _clock, random, timeoutMillis, maxBatchBytes, maxConcurrentRequests });
    this._custody = new Custody({ maxBytes: _config.maxBufferedBytes, maxAgeMillis: _config.maxBufferAgeMillis, spoolDir: _config.spoolDir, random });
    this._alarm = new Alarm(_clock, () => this._tick());
    this._background.track(this._custody.load().then((kept) => this._restore(kept)));
  }

  /**
   * Maps, encodes and links an export's spans, parents first. An export larger than a slice is
   * not even read before this returns (a BatchSpanProcessor calls export() from the
   * application's span.end()); it is worked through slice by slice, letting I/O in between.
   */
  accept(spans: ReadableSpan[], callback: (result: ExportResult) => void): void {
    const list = Array.isArray(spans) ? spans : [];
    this._accounting.seen(list.length);
    const now = this._clock.now();
    const entry = this._ledger.open(callback, now + this._config.exportTimeoutMillis);
    if (list.length <= SLICE_SIZE) return this._work(exportOrder(list), entry, now, 0);
    this._background.track(this._workLater(list, entry, now));
  }

  /** An export worked through in slices: until its last, requests go only when full. */
  private async _workLater(list: ReadableSpan[], entry: ExportEntry, now: number): Promise<void> {
    await nextTurn();
    const order = exportOrder<Entry>(list);
    let slicing = true;
    this._slicing++;
    try {
      for (let from = 0; from < list.length; from += SLICE_SIZE) {
        if (from > 0) await nextTurn();
        // The last slice sends what is queued, full or not.
        if (from + SLICE_SIZE >= list.length) {
          slicing = false;
          this._slicing--;
        }
        this._work(order, entry, now, from);
      }
    } finally {
      if (slicing) this._slicing--;
    }
  }

  /** One slice of an export; the last one also finishes it. */
  private _work(order: ExportOrder<Entry>, entry: ExportEntry, now: number, from: number): void {
    const to = Math.min(order.spans.length, from + SLICE_SIZE);
    for (let i = from; i < to; i++) {
      const arrival = this._intake.take(order.spans[i], now);
      if (arrival.kind === 'unreadable') this._accounting.dropped('mapping_error');
      else if (arrival.kind === 'skip') this._endWithoutLog(arrival.spanId, arrival.parentSpanId, arrival.reason);
      else {
        // The end of a span logged while it ran is awaited as its completion (see `_route`).
        if (!this._trace.isOpened(arrival.entry.spanId)) this._ledger.expect(entry, arrival.entry.spanId);
        this._route(this._trace.arrive(arrival.entry, order), entry);
      }
    }
    if (to === order.spans.length) {
      this._route(this._trace.finish(order), entry);
      this._ledger.seal(entry);
      this._retryKept(false);
      this._arm();
    }
    this._pump();
  }

  /** A span started (HumanloopSpanProcessor), under this parent span if any. */
  recordStart(span: ReadableSpan, parent: SpanContext | undefined): void {
    this._route(this._trace.started(span, parent, this._clock.now()), undefined);
    this._pump();
  }

  /**
   * A span HumanloopSpanProcessor's queue had no room for: never exported, its children link past
   * it. One logged while it ran is completed all the same, so that no opened log stays incomplete.
   */
  recordDropped(span: ReadableSpan): void {
    if (this._trace.isOpened(span.spanContext().spanId)) return this.accept([span], () => undefined);
    this._accounting.seen(1);
    this._endWithoutLog(span.spanContext().spanId, localParentSpanId(span), 'queue_full');
    this._pump();
  }

  /**
   * Sends what waits (opening running parents, else as roots) and what is kept, then waits for
   * what is in flight. Requests are tried for `FLUSH_RETRY_MILLIS` at most: what cannot go out by
   * then is kept (and, at shutdown, spooled), so an unreachable API does not hold the caller up.
   */
  async flush(): Promise<void> {
    this._sender.cutoff(this._clock.now() + Math.min(FLUSH_RETRY_MILLIS, this._config.exportTimeoutMillis));
    try {
      await this._background.idle();
      this._retryKept(true);
      for (let round = 0; round < MAX_FLUSH_ROUNDS; round++) {
        this._route(this._trace.releaseAll(this._clock.now()), undefined);
        this._pump();
        await this._background.idle();
        if (this._trace.waitingCount === 0) return;
      }
    } finally {
      this._sender.cutoff(Infinity);
    }
  }

  /** Flushes, then spools (with `spoolDir`) or counts as lost what still could not go out. */
  async close(): Promise<void> {
    await this.flush();
    this._alarm.stop();
    const unsent: Kept[] = (this._unsent = []);
    const { kept, expired } = this._custody.drain(this._clock.now());
    this._evict(expired);
    unsent.push(...kept);
    for (const item of this._trace.takeWaitingCompletions()) unsent.push(this._custody.sinceOf(item, this._clock.now()));
    for (let round = 0; round < MAX_FLUSH_ROUNDS && unsent.length > 0; round++) {
      const logs = unsent.splice(0).map((log) => ({ ...log, item: this._trace.forSpool(log.item) }));
      const spooled = await this._custody.spool(logs);
      const outcome = failure('shutdown', spooled ? `spooled to ${this._config.spoolDir}` : 'undelivered at shutdown');
      for (const { item } of logs) this._finalize(item, outcome, spooled ? 'spooled' : 'shutdown');
    }
    this._ledger.closeAll();
  }

  stats(): ExporterStats {
    return {
      spans: this._accounting.snapshot(),
      waitingLogs: this._trace.waitingCount,
      trackedSpans: this._trace.trackedCount,
      runningSpans: this._trace.runningCount,
      queuedLogs: this._sender.queuedCount,
      bufferedLogs: this._custody.count,
      bufferedBytes: this._custody.bytes,
    };
  }

  private _endWithoutLog(spanId: string, parent: string | undefined, reason: SpanDropReason): void {
    this._accounting.dropped(reason);
    this._route(this._trace.endedWithoutLog(spanId, parent), undefined);
  }

  /** Carries out the trace stage's decisions; logs it releases join `owner`, the export that set them off. */
  private _route(decisions: TraceDecision[], owner: ExportEntry | undefined): void {
    for (const decision of decisions) {
      if (decision.kind === 'send') this._send(decision.item, owner);
      else if (decision.kind === 'expect') {
        if (owner) this._ledger.expect(owner, decision.key);
      } else {
        if (decision.kind === 'merged') this._accounting.merged();
        this._ledger.settle(decision.key, 'held');
      }
    }
  }

  /** Queues a log for a request; during an outage it is kept at once (the retries of what is kept probe the API). */
  private _send(item: OutgoingLog, owner: ExportEntry | undefined): void {
    const now = this._clock.now();
    if (this._unsent) return void this._unsent.push(this._custody.sinceOf(item, now));
    if (owner) this._ledger.expect(owner, item.key);
    if (this._custody.inOutage) return this._keep(item, failure('unreachable', 'Humanloop is unreachable').error);
    this._sender.enqueue(item, this._ledger.ownerOf(item.key)?.deadline ?? now + this._config.exportTimeoutMillis);
  }

  /** Starts what requests there is room for; while an export is still being mapped, only full ones. */
  private _pump(): void {
    const fullOnly = this._slicing > 0;
    for (let sending = this._sender.start(fullOnly); sending; sending = this._sender.start(fullOnly)) {
      this._background.track(sending.then((sent) => this._settle(sent)));
    }
  }

  private _settle(sent: Sent[]): void {
    for (const { item, outcome } of sent) {
      if (!outcome.delivered && isTransient(outcome.error.reason)) this._keep(item, outcome.error);
      else this._finalize(item, outcome);
    }
    this._pump();
  }

  /** Not delivered in time: kept for a later attempt (after the last flush: for the spool). */
  private _keep(item: OutgoingLog, error: HumanloopExportError): void {
    const owner = this._ledger.ownerOf(item.key);
    this._ledger.settle(item.key, { delivered: false, error: error.withLogs(1, 'kept for a later attempt') });
    if (this._unsent) return void this._unsent.push(this._custody.sinceOf(item, this._clock.now()));
    this._evict(this._custody.keep(item, this._clock.now()));
    this._route(this._trace.kept(item.key), owner);
  }

  /**
   * A log's story ends: delivered, spooled, or dropped for good. It counts as its span's log
   * unless it was opened for a span still running. What it releases joins its export first.
   */
  private _finalize(item: OutgoingLog, outcome: LogOutcome, fate: Fate = fateOf(outcome)): void {
    if (item.completes || !this._trace.isOpened(item.key)) this._accounting.count(fate);
    const removingSpoolFile = this._custody.settled(item.key, outcome.delivered);
    if (removingSpoolFile) this._background.track(removingSpoolFile);
    if (!item.completes) {
      const decisions = outcome.delivered ? this._trace.delivered(item.key, outcome.created) : this._trace.dropped(item.key);
      this._route(decisions, this._ledger.ownerOf(item.key));
    }
    this._ledger.settle(item.key, outcome);
  }

  /** Kept logs that had to go (no room, too old): dropped for good, with one warning. */
  private _evict(evicted: Evicted[]): void {
    if (evicted.length === 0) return;
    logger.warn(`dropped ${evicted.length} logs kept through the outage: ${evicted[0].reason.replace('_', ' ')}`);
    for (const { item, reason } of evicted) this._finalize(item, failure('unreachable', `dropped: ${reason}`), reason);
  }

  /** Logs an earlier process spooled: kept, and tried at once. */
  private _restore(kept: Kept[]): void {
    this._evict(this._custody.restore(kept, this._clock.now()));
    this._tick();
  }

  private _retryKept(force: boolean): void {
    const now = this._clock.now();
    const { retry, expired } = this._custody.takeDue(now, force);
    this._evict(expired);
    for (const item of retry) this._sender.enqueue(item, now + this._config.exportTimeoutMillis);
  }

  /** What is due now: waits for running parents that ran out, kept logs to try again, exports long past their deadline. */
  private _tick(): void {
    const now = this._clock.now();
    this._route(this._trace.expire(now), undefined);
    this._retryKept(false);
    this._ledger.expire(now);
    this._pump();
    this._arm();
  }

  /** The alarm, set for the next thing due. */
  private _arm(): void {
    for (const due of [this._trace.nextExpiry(), this._custody.nextRetryAt(), this._ledger.nextExpiry()]) {
      if (due !== undefined) this._alarm.at(due);
    }
  }
}
