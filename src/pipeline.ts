import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Accounting, type SpanCounts } from './accounting.js';
import type { ResolvedConfig } from './config.js';
import type { Clock } from './delivery/clock.js';
import { encodeLog, withLinkFields, type LinkFields, type LogOutcome, type OutgoingLog } from './delivery/outcome.js';
import { Retention } from './delivery/retention.js';
import { Sender } from './delivery/sender.js';
import type { Spooled } from './delivery/spool.js';
import { describeError, logger } from './diag.js';
import { ExportTracker } from './export-tracker.js';
import type { LogRequest } from './log-request.js';
import { parentSpanId } from './mapping/build-log.js';
import { classify } from './mapping/classify.js';
import { mapSpan, type SpanMapperOptions } from './mapping/map-span.js';
import { foldNestedCalls, type LogCodec } from './trace/fold-calls.js';
import { releaseOrder, type ReleaseOrder } from './trace/release-order.js';
import { TraceLinker, type Link, type LinkEntry } from './trace/linker.js';
import { callSignature, type CallSignature } from './trace/merge-calls.js';
import { Placeholders, type Completion } from './trace/placeholders.js';
import type { Transport } from './transport/http-transport.js';

/** What the exporter holds in memory now, and what became of every span it was given. */
export interface ExporterStats {
  spans: SpanCounts;
  /** Logs waiting for their parent's log; those waiting for a span not ended are bounded by `maxWaitingLogs`. */
  waitingLogs: number;
  /** Spans remembered for linking (bounded by `maxTrackedSpans`). */
  trackedSpans: number;
  /** Running LLM spans that may need a placeholder (bounded by `maxTrackedSpans`). */
  runningSpans: number;
  /** Logs ready and queued for a request. */
  queuedLogs: number;
  /** Logs kept through an outage, and their bytes (bounded by `maxBufferedBytes`). */
  bufferedLogs: number;
  bufferedBytes: number;
}

export function emptyStats(): ExporterStats {
  return {
    spans: new Accounting().snapshot(),
    waitingLogs: 0,
    trackedSpans: 0,
    runningSpans: 0,
    queuedLogs: 0,
    bufferedLogs: 0,
    bufferedBytes: 0,
  };
}

/**
 * A log the linker holds until it is released: its JSON bytes without the link fields. A log is
 * encoded as soon as its span is mapped, so its object graph dies young even in a large export.
 */
interface Pending {
  body: Buffer;
  /** Set for an LLM call, so that a nested duplicate can still be folded into it. */
  call: CallSignature | undefined;
  /** Epoch millis by which the export that brought this log must be done. */
  deadline: number;
}

function toPending(log: LogRequest, deadline: number): Pending {
  return { body: encodeLog(log), call: callSignature(log), deadline };
}

const PENDING_CODEC: LogCodec<Pending> = {
  decode: (pending) => JSON.parse(pending.body.toString('utf8')) as LogRequest,
  encode: (log, replacing) => toPending(log, replacing.deadline),
};

/** An export being worked through, slice by slice. */
interface ExportWork extends ReleaseOrder {
  next: number;
  now: number;
  tracker: ExportTracker;
  /** Every log of the export handed on so far (deferred ones included). */
  added: string[];
  /** LLM calls with children in the export, linked last (see `_acceptSlice`). */
  deferred: Array<LinkEntry<Pending>>;
}

function newWork(spans: ReadableSpan[], now: number, tracker: ExportTracker): ExportWork {
  return { ...releaseOrder(spans), next: 0, now, tracker, added: [], deferred: [] };
}

/** Spans mapped at a time before I/O may run: ~1 ms of work. */
const SLICE_SPANS = 64;

/**
 * Taken when this module loads, so that fake timers installed later (in an application's own
 * tests) cannot stall an export between its slices.
 */
const setImmediateAtLoad = setImmediate;

/** The next turn of the event loop, after pending I/O. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediateAtLoad(resolve));
}

/** A span accepted by an export: a log to send, or the completion of a placeholder sent earlier. */
type Accepted = { entry: LinkEntry<Pending>; completionKey?: undefined } | { entry?: undefined; completionKey: string };

/** Keys of completions (`PATCH` of a placeholder), apart from the span ids of logs. */
const UPDATE_KEY = 'update:';
const MAX_FLUSH_ROUNDS = 8;

/**
 * Everything between `export()` and the transport: mapping, the trace linker, placeholders,
 * the sender, the outage buffer, per-export callbacks and the accounting of every span.
 */
export class LogPipeline {
  private readonly _mapper: SpanMapperOptions;
  private readonly _linker: TraceLinker<Pending>;
  private readonly _placeholders: Placeholders;
  private readonly _sender: Sender;
  private readonly _retention: Retention;
  private readonly _accounting = new Accounting();
  private readonly _trackers = new Map<string, ExportTracker>();
  /** When each log that came back from the outage buffer first failed to go out. */
  private readonly _failedSince = new Map<string, number>();
  /** The export whose log just settled, while the linker releases the logs that waited for it. */
  private _releasingFor: { tracker: ExportTracker; deadline: number } | undefined;
  private _cancelTimer: (() => void) | undefined;
  private _timerDue = Infinity;
  private _unauthorizedReported = false;
  private _closing = false;
  /** Set when a log could not go out in time, cleared by the next delivery: new logs go straight to the buffer. */
  private _outage = false;
  /** After the final flush: what the linker still releases goes to the spool, not the network. */
  private _shutDown = false;
  private readonly _unsent: Spooled[] = [];
  /** Exports still being worked through (in slices); flush waits for them first. */
  private readonly _exporting = new Set<Promise<void>>();

  constructor(
    private readonly _config: ResolvedConfig,
    transport: Transport,
    private readonly _clock: Clock,
    random: () => number,
  ) {
    this._mapper = {
      project: _config.project,
      source: _config.source,
      captureContent: _config.captureContent,
      spanFilter: _config.spanFilter,
      redact: _config.redact,
    };
    this._placeholders = new Placeholders(_config.maxTrackedSpans);
    this._linker = new TraceLinker<Pending>({
      parentWaitMillis: _config.parentWaitMillis,
      maxWaitingLogs: _config.maxWaitingLogs,
      maxRememberedSpans: _config.maxTrackedSpans,
      onRelease: (entry, link) => this._onRelease(entry, link),
      onPlaceholder: (spanId) => this._logPlaceholder(spanId),
    });
    this._sender = new Sender({
      transport,
      url: _config.logsUrl,
      clock: _clock,
      random,
      timeoutMillis: _config.timeoutMillis,
      maxBatchSize: _config.maxBatchSize,
      maxBatchBytes: _config.maxBatchBytes,
      maxConcurrentRequests: _config.maxConcurrentRequests,
      onOutcome: (key, outcome, deadline, item) => this._onOutcome(key, outcome, deadline, item),
      onUnauthorized: (error) => this._onUnauthorized(error),
    });
    this._retention = new Retention({
      maxBytes: _config.maxBufferedBytes,
      maxAgeMillis: _config.maxBufferAgeMillis,
      spoolDir: _config.spoolDir,
      clock: _clock,
      random,
      onRetry: (logs) => this._resend(logs),
      onEvicted: (item, reason) => this._finalDrop(item.key, reason),
    });
    this._retention.loadSpool();
  }

  /**
   * Maps, encodes and links an export's spans, parents first. A large export is worked through in
   * slices, letting I/O in between: the parents' request is answered, and their children go out,
   * while the rest is still being mapped. No span of a large export is read before export()
   * returns, not even to order it: a BatchSpanProcessor calls export() from the application's
   * span.end(). The callback comes when every log is settled or held.
   */
  accept(spans: ReadableSpan[], callback: (result: ExportResult) => void): void {
    const list = Array.isArray(spans) ? spans : [];
    this._accounting.seen(list.length);
    const tracker = new ExportTracker(callback);
    const now = this._clock.now();
    if (list.length <= SLICE_SPANS) {
      const work = newWork(list, now, tracker);
      this._acceptSlice(work);
      return this._finishExport(work);
    }
    const done = this._acceptInSlices(list, now, tracker);
    this._exporting.add(done);
    void done.finally(() => this._exporting.delete(done));
  }

  private async _acceptInSlices(list: ReadableSpan[], now: number, tracker: ExportTracker): Promise<void> {
    try {
      await nextTurn();
      const work = newWork(list, now, tracker);
      while (this._acceptSlice(work)) await nextTurn();
      this._finishExport(work);
    } catch (error) {
      logger.error(`internal error in export: ${describeError(error)}`);
      tracker.fail('Internal error in the Humanloop exporter');
    }
  }

  /** Works through the next slice of an export; true while spans remain. */
  private _acceptSlice(work: ExportWork): boolean {
    const end = Math.min(work.spans.length, work.next + SLICE_SPANS);
    for (; work.next < end; work.next++) {
      const accepted = this._toEntrySafely(work.spans[work.next], work.now);
      if (accepted?.completionKey) this._expect(work.tracker, accepted.completionKey);
      const entry = accepted?.entry;
      if (!entry) continue;
      work.added.push(entry.spanId);
      if (!entry.payload.call) this._link(work.tracker, entry);
      // An LLM call with children in this export may fold a nested duplicate of itself: it goes last.
      else if (work.parents.has(entry.spanId)) work.deferred.push(entry);
      // A held child from an earlier export may be a nested duplicate of this call.
      else if (this._linker.hasWaitersOn(entry.spanId)) this._foldAndLink(work.tracker, [entry]);
      else this._link(work.tracker, entry);
    }
    this._sender.pump();
    return work.next < work.spans.length;
  }

  /** Links the deferred LLM calls; the export then waits only for logs not held. */
  private _finishExport(work: ExportWork): void {
    // Deferred in ancestor order; folded children first, so a call nested three deep folds whole.
    this._foldAndLink(work.tracker, work.deferred.slice().reverse());
    for (const spanId of work.added) {
      // Held for a parent that has not ended: in our custody now, the export need not wait.
      if (this._linker.isHeld(spanId)) this._settleTracked(spanId, 'held');
    }
    work.tracker.seal();
    this._retention.retry();
    this._sender.pump();
    this._armExpiryTimer();
  }

  /**
   * LLM calls, children first: each takes in a nested duplicate of itself, from `calls` or waiting
   * in the linker (from this export or an earlier one); the rest are linked, ancestors first.
   */
  private _foldAndLink(tracker: ExportTracker, calls: Array<LinkEntry<Pending>>): void {
    const { entries, folded } = foldNestedCalls(calls, this._linker, PENDING_CODEC);
    this._accounting.merged(folded.length);
    for (const key of folded) this._settleTracked(key, 'held');
    for (let i = entries.length - 1; i >= 0; i--) this._link(tracker, entries[i]);
  }

  private _expect(tracker: ExportTracker, key: string): void {
    tracker.add(key);
    this._trackers.set(key, tracker);
  }

  private _link(tracker: ExportTracker, entry: LinkEntry<Pending>): void {
    this._expect(tracker, entry.spanId);
    this._linker.add(entry);
  }

  private _settleTracked(key: string, outcome: LogOutcome | 'held'): void {
    const tracker = this._trackers.get(key);
    this._trackers.delete(key);
    tracker?.settle(key, outcome);
  }

  /** Records a span's start (from HumanloopSpanProcessor). */
  recordStart(span: ReadableSpan): void {
    const { spanId } = span.spanContext();
    const exported = this._config.spanFilter ? this._config.spanFilter(span) : classify(span.attributes) !== undefined;
    if (exported) this._placeholders.started(spanId, span);
    this._linker.observeStart(spanId, parentSpanId(span), exported);
  }

  /** Sends what waits (placeholders for running parents, else roots) and what is kept, then what is in flight. */
  async flush(): Promise<void> {
    while (this._exporting.size > 0) await Promise.all(this._exporting);
    this._retention.retry(true);
    for (let round = 0; round < MAX_FLUSH_ROUNDS; round++) {
      this._linker.releaseAll();
      this._sender.pump();
      await this._sender.whenIdle();
      if (this._linker.waitingCount === 0) return;
    }
  }

  /**
   * Flushes, then spools (with `spoolDir`) or counts as lost what still could not go out. The
   * children those logs release are settled the same way, round by round.
   */
  async close(): Promise<void> {
    this._closing = true;
    await this.flush();
    this._cancelTimer?.();
    this._shutDown = true;
    this._unsent.push(...this._retention.drain());
    for (let round = 0; round < MAX_FLUSH_ROUNDS && this._unsent.length > 0; round++) {
      const logs = this._unsent.splice(0);
      const spooled = this._retention.persist(logs);
      for (const { item } of logs) {
        if (spooled) this._accounting.spooled();
        else this._accounting.dropped('shutdown');
        this._linker.settle(item.key, false);
      }
    }
  }

  stats(): ExporterStats {
    return {
      spans: this._accounting.snapshot(),
      waitingLogs: this._linker.waitingCount,
      trackedSpans: this._linker.trackedCount,
      runningSpans: this._placeholders.runningCount,
      queuedLogs: this._sender.queuedCount,
      bufferedLogs: this._retention.count,
      bufferedBytes: this._retention.bytes,
    };
  }

  /** One span that is not even a readable span is skipped; the rest of the batch goes on. */
  private _toEntrySafely(span: ReadableSpan, now: number): Accepted | undefined {
    try {
      return this._toEntry(span, now);
    } catch (error) {
      logger.warn(`skipped a span that could not be read: ${describeError(error)}`);
      this._accounting.dropped('mapping_error');
      return undefined;
    }
  }

  private _toEntry(span: ReadableSpan, now: number): Accepted | undefined {
    const { spanId, traceId } = span.spanContext();
    const parent = parentSpanId(span);
    const mapping = mapSpan(span, this._mapper);
    const completion = this._placeholders.ended(spanId, mapping.log);
    if (completion.kind !== 'none') return this._complete(spanId, completion, now + this._config.exportTimeoutMillis);
    if (!mapping.log) {
      this._accounting.dropped(mapping.reason);
      this._linker.observeNotExported(spanId, parent);
      return undefined;
    }
    const entry = { spanId, traceId, parentSpanId: parent, session: mapping.conversationId, arrivedAt: now };
    return { entry: { ...entry, payload: toPending(mapping.log, now + this._config.exportTimeoutMillis) } };
  }

  /** A span that was logged as a placeholder ended: its output, error and duration complete that log. */
  private _complete(spanId: string, completion: Completion, deadline: number): Accepted | undefined {
    const completionKey = `${UPDATE_KEY}${spanId}`;
    switch (completion.kind) {
      case 'send':
        this._accounting.delivered();
        this._sender.enqueueUpdate(completionKey, spanId, completion.update, deadline);
        return { completionKey };
      case 'deferred':
        return { completionKey };
      default:
        this._accounting.dropped('rejected');
        logger.debug(`span ${spanId} ended, but its placeholder was not delivered`);
        return undefined;
    }
  }

  /** Logs what is known of a span still running, so the children waiting for it can go out. */
  private _logPlaceholder(spanId: string): boolean {
    let conversationId: string | undefined;
    const taken = this._placeholders.take(spanId, (span) => {
      const mapping = mapSpan(span, this._mapper);
      conversationId = mapping.log ? mapping.conversationId : undefined;
      return mapping.log;
    });
    if (!taken) return false;
    const now = this._clock.now();
    this._linker.add({
      spanId,
      traceId: taken.span.spanContext().traceId,
      parentSpanId: parentSpanId(taken.span),
      session: conversationId,
      arrivedAt: now,
      payload: toPending(taken.log, now + this._config.exportTimeoutMillis),
    });
    return true;
  }

  private _onRelease(entry: LinkEntry<Pending>, link: Link): void {
    const fields: LinkFields = { session_reference_id: link.session };
    if (link.parent) {
      fields.parent_reference_id = link.parent.spanId;
      if (link.parent.logId) fields.trace_parent_id = link.parent.logId;
    }
    const item = withLinkFields(entry.spanId, entry.payload.body, fields);
    if (this._shutDown) return void this._unsent.push({ item, since: this._clock.now() });
    const deadline = this._deadlineFor(entry);
    // During an outage a new log is kept at once: the retries of what is kept probe the API.
    if (this._outage) return this._keepReleased(item);
    this._sender.enqueue(item, deadline);
  }

  private _keepReleased(item: OutgoingLog): void {
    const tracker = this._trackers.get(item.key);
    this._trackers.delete(item.key);
    this._keep(item.key, item, tracker, { delivered: false, reason: 'deadline', error: 'Humanloop is unreachable' });
  }

  /**
   * A log released while its own export still waits keeps that export's deadline. One that was
   * held (its export already answered) joins the export whose log released it, so flushing that
   * export also delivers it; released by a timer or a flush, it gets a fresh deadline.
   */
  private _deadlineFor(entry: LinkEntry<Pending>): number {
    if (this._trackers.has(entry.spanId)) return entry.payload.deadline;
    const releasing = this._releasingFor;
    if (releasing) {
      releasing.tracker.add(entry.spanId);
      this._trackers.set(entry.spanId, releasing.tracker);
      return releasing.deadline;
    }
    return this._clock.now() + this._config.exportTimeoutMillis;
  }

  private _onOutcome(key: string, outcome: LogOutcome, deadline: number, item: OutgoingLog | undefined): void {
    const tracker = this._trackers.get(key);
    this._trackers.delete(key);
    if (!key.startsWith(UPDATE_KEY)) {
      if (item && !outcome.delivered && outcome.reason === 'deadline') return this._keep(key, item, tracker, outcome);
      this._settleLog(key, outcome, tracker, deadline);
    }
    tracker?.settle(key, outcome);
  }

  /** Not delivered in time: kept for a later attempt (or, while closing, for the spool). */
  private _keep(key: string, item: OutgoingLog, tracker: ExportTracker | undefined, outcome: LogOutcome): void {
    const since = this._failedSince.get(key) ?? this._clock.now();
    this._failedSince.set(key, since);
    this._outage = true;
    // Waiting for a kept log: in our custody now, their exports need not wait.
    for (const held of this._linker.markBuffered(key)) this._settleTracked(held, 'held');
    if (this._closing) this._unsent.push({ item, since });
    else this._retention.keep(item, since);
    tracker?.settle(key, outcome.delivered ? outcome : { ...outcome, error: `${outcome.error}; kept for a later attempt` });
  }

  private _resend(logs: Spooled[]): void {
    const deadline = this._clock.now() + this._config.exportTimeoutMillis;
    for (const { item, since } of logs) {
      this._failedSince.set(item.key, since);
      this._sender.enqueue(item, deadline);
    }
    this._sender.pump();
  }

  private _settleLog(key: string, outcome: LogOutcome, tracker: ExportTracker | undefined, deadline: number): void {
    this._failedSince.delete(key);
    const isPlaceholder = this._placeholders.isPlaceholder(key);
    if (outcome.delivered) {
      this._retention.succeeded();
      this._outage = false;
    }
    if (!isPlaceholder) this._count(outcome);
    this._releasingFor = tracker && { tracker, deadline };
    try {
      this._linker.settle(key, outcome.delivered, outcome.delivered ? outcome.logId : undefined);
    } finally {
      this._releasingFor = undefined;
    }
    this._settlePlaceholder(key, outcome, deadline);
  }

  /** A placeholder's span counts when it has ended: now, if it ended while its placeholder was on its way. */
  private _settlePlaceholder(key: string, outcome: LogOutcome, deadline: number): void {
    const waiting = this._placeholders.settled(key, outcome.delivered);
    if (!waiting) return;
    const completionKey = `${UPDATE_KEY}${key}`;
    this._count(outcome);
    if (waiting.kind === 'send') return this._sender.enqueueUpdate(completionKey, key, waiting.update, deadline);
    this._settleTracked(completionKey, outcome);
  }

  private _count(outcome: LogOutcome): void {
    if (outcome.delivered) this._accounting.delivered();
    else this._accounting.dropped(outcome.reason);
  }

  /** A log that will never be delivered: counted, and its children relinked. */
  private _finalDrop(key: string, reason: 'buffer_full' | 'expired' | 'shutdown'): void {
    this._failedSince.delete(key);
    this._accounting.dropped(reason);
    logger.warn(`dropped log ${key}: ${reason.replace('_', ' ')}`);
    this._linker.settle(key, false);
  }

  private _onUnauthorized(error: string): void {
    if (this._unauthorizedReported) return logger.debug(error);
    this._unauthorizedReported = true;
    logger.error(`${error}: Humanloop refused the API key; check HUMANLOOP_API_KEY or the apiKey option`);
  }

  /** One timer, set for the next log whose wait for its parent runs out. */
  private _armExpiryTimer(): void {
    const due = this._linker.nextExpiry();
    if (due === undefined || due >= this._timerDue) return;
    this._cancelTimer?.();
    this._timerDue = due;
    this._cancelTimer = this._clock.setTimer(
      () => {
        this._timerDue = Infinity;
        this._cancelTimer = undefined;
        this._linker.releaseExpired(this._clock.now());
        this._sender.pump();
        this._armExpiryTimer();
      },
      Math.max(0, due - this._clock.now()),
    );
  }
}
