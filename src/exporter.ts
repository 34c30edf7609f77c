import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { resolveConfig, type Environment, type HumanloopSpanExporterOptions, type ResolvedConfig } from './config.js';
import { systemClock, type Clock } from './delivery/clock.js';
import { toOutgoing, type LogOutcome } from './delivery/outcome.js';
import { Sender } from './delivery/sender.js';
import { logger } from './diag.js';
import { ExportTracker } from './export-tracker.js';
import type { LogRequest } from './log-request.js';
import { parentSpanId } from './mapping/build-log.js';
import { classify } from './mapping/classify.js';
import { mapSpan, type SpanMapperOptions } from './mapping/map-span.js';
import { TraceLinker, type Link, type LinkEntry } from './trace/linker.js';
import { foldNestedCalls } from './trace/fold-calls.js';
import { Placeholders, type Completion } from './trace/placeholders.js';
import { createHttpTransport, type Transport } from './transport/http-transport.js';

/** Test seams: a fake clock and randomness make backoff run without real waiting. */
export interface ExporterInternals {
  clock?: Clock;
  random?: () => number;
  env?: Environment;
}

/** Keys of completions (`PATCH` of a placeholder), apart from the span ids of logs. */
const UPDATE_KEY = 'update:';

/** A span accepted by an export: a log to send, or the completion of a placeholder sent earlier. */
type Accepted = { entry: LinkEntry<Pending>; completionKey?: undefined } | { entry?: undefined; completionKey: string };

interface Pending {
  log: LogRequest;
  /** Epoch millis by which the export that brought this log must be done. */
  deadline: number;
}

const MAX_FLUSH_ROUNDS = 8;

/** What the exporter holds in memory now; every figure is bounded by an option. */
export interface ExporterStats {
  /** Logs waiting for a parent span to end (bounded by `maxWaitingLogs`). */
  waitingLogs: number;
  /** Spans remembered for linking (bounded by `maxTrackedSpans`). */
  trackedSpans: number;
  /** Running LLM spans that may need a placeholder (bounded by `maxTrackedSpans`). */
  runningSpans: number;
  /** Logs ready and queued for a request. */
  queuedLogs: number;
}

/**
 * An OpenTelemetry SpanExporter that sends LLM spans to Humanloop as logs, nested as in the
 * trace. Register it with a BatchSpanProcessor. It never throws into the application.
 */
export class HumanloopSpanExporter implements SpanExporter {
  private readonly _config: ResolvedConfig;
  private readonly _clock: Clock;
  private readonly _mapper: SpanMapperOptions;
  private readonly _transport: Transport | undefined;
  private readonly _linker: TraceLinker<Pending>;
  private readonly _sender: Sender | undefined;
  private readonly _trackers = new Map<string, ExportTracker>();
  private readonly _placeholders: Placeholders;
  private _cancelTimer: (() => void) | undefined;
  private _timerDue = Infinity;
  private _unauthorizedReported = false;
  /** The export whose log just settled, while the linker releases the logs that waited for it. */
  private _releasingFor: { tracker: ExportTracker; deadline: number } | undefined;
  private _shutdown: Promise<void> | undefined;

  constructor(options: HumanloopSpanExporterOptions = {}, internals: ExporterInternals = {}) {
    this._config = resolveConfig(options, internals.env);
    this._clock = internals.clock ?? systemClock;
    this._mapper = {
      project: this._config.project,
      source: this._config.source,
      captureContent: this._config.captureContent,
      spanFilter: this._config.spanFilter,
      redact: this._config.redact,
    };
    this._placeholders = new Placeholders(this._config.maxTrackedSpans);
    this._linker = new TraceLinker<Pending>({
      parentWaitMillis: this._config.parentWaitMillis,
      maxWaitingLogs: this._config.maxWaitingLogs,
      maxRememberedSpans: this._config.maxTrackedSpans,
      onRelease: (entry, link) => this._onRelease(entry, link),
      onPlaceholder: (spanId) => this._logPlaceholder(spanId),
    });
    if (this._config.apiKeyError !== undefined) {
      logger.error(this._config.apiKeyError);
      return;
    }
    this._transport = createHttpTransport({
      apiKey: this._config.apiKey!,
      dispatcher: this._config.dispatcher,
      now: () => this._clock.now(),
    });
    this._sender = new Sender({
      transport: this._transport,
      url: this._config.logsUrl,
      clock: this._clock,
      random: internals.random ?? Math.random,
      timeoutMillis: this._config.timeoutMillis,
      maxBatchSize: this._config.maxBatchSize,
      maxBatchBytes: this._config.maxBatchBytes,
      maxConcurrentRequests: this._config.maxConcurrentRequests,
      onOutcome: (key, outcome, deadline) => this._onOutcome(key, outcome, deadline),
      onUnauthorized: (error) => this._onUnauthorized(error),
    });
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const callback = once(resultCallback);
    if (this._shutdown) return callback(failed('The Humanloop exporter is shut down'));
    if (this._config.apiKeyError !== undefined) return callback(failed(this._config.apiKeyError));
    try {
      this._accept(spans, callback);
    } catch (error) {
      logger.error(`internal error in export: ${error instanceof Error ? error.name : typeof error}`);
      callback(failed('Internal error in the Humanloop exporter'));
    }
  }

  /**
   * Called by HumanloopSpanProcessor when a span starts. Children then skip at once ancestors
   * that will not become logs, and an LLM span that outlasts `parentWaitMillis` is logged as a
   * placeholder, completed when it ends.
   */
  recordSpanStart(span: ReadableSpan): void {
    try {
      const { spanId } = span.spanContext();
      const exported = this._config.spanFilter ? this._config.spanFilter(span) : classify(span.attributes) !== undefined;
      if (exported) this._placeholders.started(spanId, span);
      this._linker.observeStart(spanId, parentSpanId(span), exported);
    } catch (error) {
      logger.debug(`could not record a span start: ${error instanceof Error ? error.name : typeof error}`);
    }
  }

  stats(): ExporterStats {
    return {
      waitingLogs: this._linker.waitingCount,
      trackedSpans: this._linker.trackedCount,
      runningSpans: this._placeholders.runningCount,
      queuedLogs: this._sender?.queuedCount ?? 0,
    };
  }

  /** Sends everything waiting or in flight, including logs still waiting for a parent, then resolves. */
  async forceFlush(): Promise<void> {
    for (let round = 0; round < MAX_FLUSH_ROUNDS; round++) {
      this._linker.releaseAll();
      this._sender?.pump();
      await this._sender?.whenIdle();
      if (this._linker.waitingCount === 0) return;
    }
  }

  shutdown(): Promise<void> {
    this._shutdown ??= this._close();
    return this._shutdown;
  }

  private async _close(): Promise<void> {
    await this.forceFlush();
    this._cancelTimer?.();
    await this._transport?.close();
  }

  private _accept(spans: ReadableSpan[], callback: (result: ExportResult) => void): void {
    const now = this._clock.now();
    let entries: Array<LinkEntry<Pending>> = [];
    const completions: string[] = [];
    for (const span of Array.isArray(spans) ? spans : []) {
      const accepted = this._toEntrySafely(span, now);
      if (accepted?.entry) entries.push(accepted.entry);
      if (accepted?.completionKey) completions.push(accepted.completionKey);
    }
    entries = foldNestedCalls(entries, this._linker);
    const keys = [...entries.map((entry) => entry.spanId), ...completions];
    const tracker = new ExportTracker(keys, callback);
    for (const key of keys) this._trackers.set(key, tracker);
    for (const entry of entries) this._linker.add(entry);
    this._sender!.pump();
    for (const entry of entries) {
      // Held for a parent that has not ended: in our custody now, the export need not wait.
      if (this._linker.isHeld(entry.spanId)) {
        this._trackers.delete(entry.spanId);
        tracker.settle(entry.spanId, 'held');
      }
    }
    this._armExpiryTimer();
  }

  /** One span that is not even a readable span is skipped; the rest of the batch goes on. */
  private _toEntrySafely(span: ReadableSpan, now: number): Accepted | undefined {
    try {
      return this._toEntry(span, now);
    } catch (error) {
      logger.warn(`skipped a span that could not be read: ${error instanceof Error ? error.name : typeof error}`);
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
      this._linker.observeNotExported(spanId, parent);
      return undefined;
    }
    const entry = { spanId, traceId, parentSpanId: parent, session: mapping.conversationId, arrivedAt: now };
    return { entry: { ...entry, payload: { log: mapping.log, deadline: now + this._config.exportTimeoutMillis } } };
  }

  /** A span that was logged as a placeholder ended: its output, error and duration complete that log. */
  private _complete(spanId: string, completion: Completion, deadline: number): Accepted | undefined {
    const completionKey = `${UPDATE_KEY}${spanId}`;
    if (completion.kind === 'send') this._sender!.enqueueUpdate(completionKey, spanId, completion.update, deadline);
    if (completion.kind === 'lost') logger.debug(`span ${spanId} ended, but its placeholder was not delivered`);
    return completion.kind === 'lost' ? undefined : { completionKey };
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
    const { log, span } = taken;
    const now = this._clock.now();
    this._linker.add({
      spanId,
      traceId: span.spanContext().traceId,
      parentSpanId: parentSpanId(span),
      session: conversationId,
      arrivedAt: now,
      payload: { log, deadline: now + this._config.exportTimeoutMillis },
    });
    return true;
  }

  private _onRelease(entry: LinkEntry<Pending>, link: Link): void {
    const log: LogRequest = { ...entry.payload.log, session_reference_id: link.session };
    if (link.parent) {
      log.parent_reference_id = link.parent.spanId;
      if (link.parent.logId) log.trace_parent_id = link.parent.logId;
    }
    this._sender!.enqueue(toOutgoing(entry.spanId, log), this._deadlineFor(entry));
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

  private _onOutcome(key: string, outcome: LogOutcome, deadline: number): void {
    const tracker = this._trackers.get(key);
    this._trackers.delete(key);
    if (!key.startsWith(UPDATE_KEY)) this._settleLog(key, outcome, tracker, deadline);
    tracker?.settle(key, outcome);
  }

  private _settleLog(key: string, outcome: LogOutcome, tracker: ExportTracker | undefined, deadline: number): void {
    this._releasingFor = tracker && { tracker, deadline };
    try {
      this._linker.settle(key, outcome.delivered, outcome.delivered ? outcome.logId : undefined);
    } finally {
      this._releasingFor = undefined;
    }
    const waiting = this._placeholders.settled(key, outcome.delivered);
    const completionKey = `${UPDATE_KEY}${key}`;
    if (waiting?.kind === 'send') this._sender!.enqueueUpdate(completionKey, key, waiting.update, deadline);
    if (waiting?.kind === 'lost') {
      const completionTracker = this._trackers.get(completionKey);
      this._trackers.delete(completionKey);
      completionTracker?.settle(completionKey, outcome);
    }
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
        this._sender?.pump();
        this._armExpiryTimer();
      },
      Math.max(0, due - this._clock.now()),
    );
  }
}

function failed(message: string): ExportResult {
  return { code: ExportResultCode.FAILED, error: new Error(message) };
}

function once(callback: (result: ExportResult) => void): (result: ExportResult) => void {
  let called = false;
  return (result) => {
    if (called) return;
    called = true;
    try {
      callback(result);
    } catch (error) {
      logger.error(`the export callback threw: ${error instanceof Error ? error.name : typeof error}`);
    }
  };
}
