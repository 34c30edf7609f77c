import { metrics, type BatchObservableCallback } from '@opentelemetry/api';
import type { ExporterStats } from '../pipeline/stats.js';
import { VERSION } from '../common/version.js';

/**
 * Publishes the exporter's counters through the global MeterProvider, when the application has
 * one (otherwise the API's no-op meter makes this free). Returns the unregistration.
 */
export function registerMetrics(read: () => ExporterStats): () => void {
  const meter = metrics.getMeter('humanloop-otel-exporter', VERSION);
  const spans = meter.createObservableCounter('humanloop.exporter.spans', {
    description: 'Spans handed to the Humanloop exporter, by outcome (and drop reason)',
    unit: '{span}',
  });
  const held = meter.createObservableUpDownCounter('humanloop.exporter.logs.held', {
    description: 'Logs the Humanloop exporter holds now, by where they wait',
    unit: '{log}',
  });
  const bufferedBytes = meter.createObservableUpDownCounter('humanloop.exporter.buffer.size', {
    description: 'Bytes of logs kept through an outage',
    unit: 'By',
  });
  const callback: BatchObservableCallback = (result) => {
    const stats = read();
    result.observe(spans, stats.spans.delivered, { outcome: 'delivered' });
    result.observe(spans, stats.spans.merged, { outcome: 'merged' });
    result.observe(spans, stats.spans.spooled, { outcome: 'spooled' });
    for (const [reason, count] of Object.entries(stats.spans.dropped)) {
      result.observe(spans, count, { outcome: 'dropped', reason });
    }
    result.observe(held, stats.waitingLogs, { state: 'waiting_for_parent' });
    result.observe(held, stats.queuedLogs, { state: 'queued' });
    result.observe(held, stats.bufferedLogs, { state: 'buffered' });
    result.observe(bufferedBytes, stats.bufferedBytes);
  };
  meter.addBatchObservableCallback(callback, [spans, held, bufferedBytes]);
  return () => meter.removeBatchObservableCallback(callback, [spans, held, bufferedBytes]);
}
