import type { Context } from '@opentelemetry/api';
import {
  BatchSpanProcessor,
  type BufferConfig,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { HumanloopSpanExporterOptions } from './config.js';
import { HumanloopSpanExporter, type ExporterInternals } from './exporter.js';

export interface HumanloopSpanProcessorOptions extends HumanloopSpanExporterOptions {
  /** The batch processor's settings (queue size, batch size, delay, export timeout). */
  batch?: BufferConfig;
}

/**
 * A BatchSpanProcessor with a HumanloopSpanExporter that also sees span starts. With it, logs
 * never wait for ancestors that will not be sent (an HTTP server span), an LLM span that runs
 * longer than `parentWaitMillis` is logged as a placeholder and completed when it ends, and
 * `forceFlush()` also flushes the logs still waiting for a parent.
 */
export class HumanloopSpanProcessor implements SpanProcessor {
  readonly exporter: HumanloopSpanExporter;
  private readonly _batch: BatchSpanProcessor;

  constructor(options: HumanloopSpanProcessorOptions = {}, internals?: ExporterInternals) {
    const { batch, ...exporterOptions } = options;
    this.exporter = new HumanloopSpanExporter(exporterOptions, internals);
    this._batch = new BatchSpanProcessor(this.exporter, batch);
  }

  onStart(span: Span, parentContext: Context): void {
    this.exporter.recordSpanStart(span);
    this._batch.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this._batch.onEnd(span);
  }

  async forceFlush(): Promise<void> {
    await this._batch.forceFlush();
    await this.exporter.forceFlush();
  }

  /** Exports what is queued, then shuts the exporter down (which flushes what waits). */
  shutdown(): Promise<void> {
    return this._batch.shutdown();
  }
}
