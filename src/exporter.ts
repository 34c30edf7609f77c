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
import { mapSpan, type SpanMapperOptions } from './mapping/map-span.js';
import { TraceLinker, type Link, type LinkEntry } from './trace/linker.js';
import { isCallLog, isSameCall, mergeCalls } from './trace/merge-calls.js';
import { createHttpTransport, type Transport } from './transport/http-transport.js';

/** Test seams: a fake clock and randomness make backoff run without real waiting. */
export interface ExporterInternals {
  clock?: Clock;
  random?: () => number;
  env?: Environment;
}

interface Pending {
  log: LogRequest;
  /** Epoch millis by which the export that brought this log must be done. */
  deadline: number;
}

const MAX_FLUSH_ROUNDS = 8;

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
    this._linker = new TraceLinker<Pending>({
      parentWaitMillis: this._config.parentWaitMillis,
      maxWaitingLogs: this._config.maxWaitingLogs,
      onRelease: (entry, link) => this._onRelease(entry, link),
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
    for (const span of Array.isArray(spans) ? spans : []) {
      const entry = this._toEntrySafely(span, now);
      if (entry) entries.push(entry);
    }
    entries = this._foldNestedCalls(entries);
    const tracker = new ExportTracker(
      entries.map((entry) => entry.spanId),
      callback,
    );
    for (const entry of entries) this._trackers.set(entry.spanId, tracker);
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

  /**
   * Folds an LLM call recorded twice (an instrumentation's span directly inside another's) into
   * the outer log: the inner span, from this export or held from an earlier one, is not sent.
   */
  private _foldNestedCalls(entries: Array<LinkEntry<Pending>>): Array<LinkEntry<Pending>> {
    const inBatch = new Map<string, Array<LinkEntry<Pending>>>();
    for (const entry of entries) {
      if (entry.parentSpanId === undefined) continue;
      const siblings = inBatch.get(entry.parentSpanId) ?? [];
      inBatch.set(entry.parentSpanId, [...siblings, entry]);
    }
    const folded = new Set<string>();
    for (const outer of entries) {
      if (folded.has(outer.spanId) || !isCallLog(outer.payload.log)) continue;
      const sameCall = (inner: LinkEntry<Pending>) => isSameCall(outer.payload.log, inner.payload.log);
      const inners = [
        ...(inBatch.get(outer.spanId) ?? []).filter((inner) => !folded.has(inner.spanId) && sameCall(inner)),
        ...this._linker.absorbChildren(outer.spanId, sameCall),
      ];
      for (const inner of inners) {
        outer.payload.log = mergeCalls(outer.payload.log, inner.payload.log);
        folded.add(inner.spanId);
        this._linker.observeNotExported(inner.spanId, outer.spanId);
      }
    }
    return folded.size === 0 ? entries : entries.filter((entry) => !folded.has(entry.spanId));
  }

  /** One span that is not even a readable span is skipped; the rest of the batch goes on. */
  private _toEntrySafely(span: ReadableSpan, now: number): LinkEntry<Pending> | undefined {
    try {
      return this._toEntry(span, now);
    } catch (error) {
      logger.warn(`skipped a span that could not be read: ${error instanceof Error ? error.name : typeof error}`);
      return undefined;
    }
  }

  private _toEntry(span: ReadableSpan, now: number): LinkEntry<Pending> | undefined {
    const { spanId, traceId } = span.spanContext();
    const parent = parentSpanId(span);
        const mapping = mapSpan(span, this._mapper);
    if (!mapping.log) {
      this._linker.observeNotExported(spanId, parent);
      return undefined;
    }
    return {
      spanId,
      traceId,
      parentSpanId: parent,
      session: mapping.conversationId,
      arrivedAt: now,
      payload: { log: mapping.log, deadline: now + this._config.exportTimeoutMillis },
    };
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
    this._releasingFor = tracker && { tracker, deadline };
    try {
      this._linker.settle(key, outcome.delivered, outcome.delivered ? outcome.logId : undefined);
    } finally {
      this._releasingFor = undefined;
    }
    tracker?.settle(key, outcome);
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
