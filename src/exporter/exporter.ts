import { trace, type Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '../common/otel.js';
import type { ReadableSpan, SpanExporter } from '../common/otel.js';
import { resolveConfig, type Environment, type HumanloopSpanExporterOptions, type ResolvedConfig } from '../config/config.js';
import { systemClock, type Clock } from '../common/clock.js';
import { describeError, installConsoleLogger, logger, misconfigured, tellUser } from '../common/diag.js';
import { watchExit, type ExitHooks } from './exit-watch.js';
import { HumanloopExportError, type ExportErrorReason } from '../common/errors.js';
import { registerMetrics } from './metrics.js';
import { pipelineParts } from '../pipeline/parts.js';
import { LogPipeline } from '../pipeline/pipeline.js';
import { emptyStats, type ExporterStats } from '../pipeline/stats.js';
import { createHttpTransport, type Transport } from '../transport/http-transport.js';

export type { ExporterStats } from '../pipeline/stats.js';

/** Test seams: a fake clock and randomness make backoff run without real waiting. */
export interface ExporterInternals {
  clock?: Clock;
  random?: () => number;
  env?: Environment;
}

/**
 * An OpenTelemetry SpanExporter that sends LLM spans to Humanloop as logs, nested as in the
 * trace. Register it with a BatchSpanProcessor. It never throws into the application.
 */
export class HumanloopSpanExporter implements SpanExporter {
  private readonly _config: ResolvedConfig;
  private readonly _transport: Transport | undefined;
  private readonly _pipeline: LogPipeline | undefined;
  private readonly _unregisterMetrics: (() => void) | undefined;
  /** Held here: the process listeners hold them weakly, for as long as this exporter lives. */
  private readonly _exitHooks: ExitHooks = { beforeExit: () => this._beforeExit(), exit: () => this._exit() };
  private _unwatchExit: (() => void) | undefined;
  /** HumanloopSpanProcessor's queue, taken when the process ends without shutdown(). */
  private _queued: (() => ReadableSpan[]) | undefined;
  private _flushedAtExit = false;
  private _shutdown: Promise<void> | undefined;

  constructor(options: HumanloopSpanExporterOptions = {}, internals: ExporterInternals = {}) {
    this._config = resolveConfig(options, internals.env);
    installConsoleLogger(this._config.logLevel);
    if (this._config.unusable !== undefined) {
      misconfigured(this._config.unusable);
      return;
    }
    const clock = internals.clock ?? systemClock;
    this._transport = createHttpTransport({
      apiKey: this._config.apiKey!,
      dispatcher: this._config.dispatcher,
      connections: this._config.maxConcurrentRequests,
      now: () => clock.wall(),
    });
    this._pipeline = new LogPipeline(pipelineParts(this._config, this._transport, clock, internals.random ?? Math.random));
    const pipeline = new WeakRef(this._pipeline);
    this._unregisterMetrics = registerMetrics(() => pipeline.deref()?.stats() ?? emptyStats());
    this._unwatchExit = watchExit(this._exitHooks);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const callback = once(resultCallback);
    if (this._shutdown) return callback(failed('shutdown', 'The Humanloop exporter is shut down'));
    if (!this._pipeline) return callback(failed('not_configured', this._config.unusable ?? 'The Humanloop exporter is not configured'));
    try {
      this._pipeline.accept(spans, callback);
    } catch (error) {
      logger.error(`internal error in export: ${describeError(error)}`);
      callback(failed('internal', 'Internal error in the Humanloop exporter'));
    }
  }

  /**
   * Called by HumanloopSpanProcessor when a span starts (with the context it starts in).
   * Children then skip at once ancestors that will not become logs, and an LLM span that
   * outlasts `parentWaitMillis` is logged as a placeholder, completed when it ends.
   */
  recordSpanStart(span: ReadableSpan, parentContext?: Context): void {
    try {
      this._pipeline?.recordStart(span, parentContext && trace.getSpanContext(parentContext));
    } catch (error) {
      logger.debug(`could not record a span start: ${describeError(error)}`);
    }
  }

  /**
   * Called by HumanloopSpanProcessor for an ended span it could not queue for export: it is
   * counted as dropped (`queue_full`), and its children link past it.
   */
  recordSpanDropped(span: ReadableSpan): void {
    try {
      this._pipeline?.recordDropped(span);
    } catch (error) {
      logger.debug(`could not record a dropped span: ${describeError(error)}`);
    }
  }

  /**
   * Called by HumanloopSpanProcessor with its queue of ended spans: should the process end
   * without shutdown(), they are delivered (or spooled, or counted as lost) with the rest.
   */
  watchQueue(take: () => ReadableSpan[]): void {
    this._queued = take;
  }

  /** What the exporter holds now, and what became of every span it was given. */
  stats(): ExporterStats {
    return this._pipeline?.stats() ?? emptyStats();
  }

  /** Sends everything waiting or in flight, including logs still waiting for a parent, then resolves. */
  async forceFlush(): Promise<void> {
    await this._pipeline?.flush();
  }

  /** Flushes, spools what still cannot go out (with `spoolDir`), and closes the connections it owns. */
  shutdown(): Promise<void> {
    this._shutdown ??= this._close();
    return this._shutdown;
  }

  /**
   * The event loop emptied and shutdown() was not called: what is held is delivered now (open
   * logs of spans still running completed), once, and the user hears that shutdown() was missing.
   */
  private _beforeExit(): void {
    if (this._shutdown || this._flushedAtExit || !this._pipeline) return;
    const queued = this._queued?.() ?? [];
    const holding = this._pipeline.holding(queued);
    if (holding === 0) return;
    this._flushedAtExit = true;
    tellUser(`the process is ending without shutdown(): delivering the ${holding} logs still held (call shutdown() on the tracer provider before the process ends)`);
    if (queued.length > 0) this.export(queued, () => undefined);
    this._pipeline.flushAtExit().catch((error: unknown) => logger.error(`internal error at exit: ${describeError(error)}`));
  }

  /** The process is ending before shutdown() finished: what is still held is spooled (with spoolDir), else counted and said lost. */
  private _exit(): void {
    if (!this._pipeline) return;
    const queued = this._queued?.() ?? [];
    if (this._pipeline.holding(queued) === 0) return;
    try {
      const { logs, spooled } = this._pipeline.exitNow(queued);
      if (spooled) tellUser(`the process ended without shutdown(): ${logs} undelivered logs were spooled to ${this._config.spoolDir} for the next run`);
    } catch (error) {
      logger.error(`internal error at exit: ${describeError(error)}`);
    }
  }

  private async _close(): Promise<void> {
    this._unregisterMetrics?.();
    try {
      await this._pipeline?.close();
    } catch (error) {
      logger.error(`internal error at shutdown: ${describeError(error)}`);
    }
    await this._transport?.close();
    this._unwatchExit?.();
  }
}

function failed(reason: ExportErrorReason, message: string): ExportResult {
  return { code: ExportResultCode.FAILED, error: new HumanloopExportError(reason, message) };
}

/** The callback, called at most once: a second call is a defect here, reported and not passed on. */
function once(callback: (result: ExportResult) => void): (result: ExportResult) => void {
  let called = false;
  return (result) => {
    if (called) return logger.error('internal error: an export was called back twice');
    called = true;
    try {
      callback(result);
    } catch (error) {
      logger.error(`the export callback threw: ${describeError(error)}`);
    }
  };
}

