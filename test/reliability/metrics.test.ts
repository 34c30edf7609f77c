import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type DataPoint } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';
import { CHAT_ATTRIBUTES, recordSpans, startSpan } from '../helpers/spans.js';

class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  metrics.disable();
});

describe('metrics', () => {
  it('publishes span outcomes through the global MeterProvider', async () => {
    const reader = new TestReader();
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    harness = await startHarness();
    const rec = recordSpans();
    startSpan(rec.tracer, 'chat', CHAT_ATTRIBUTES).end();
    startSpan(rec.tracer, 'GET /', { 'http.request.method': 'GET' }).end();
    await harness.exportAll(rec.spans());
    const { resourceMetrics } = await reader.collect();
    const all = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
    const spans = all.find((metric) => metric.descriptor.name === 'humanloop.exporter.spans');
    const points = (spans?.dataPoints ?? []) as Array<DataPoint<number>>;
    const value = (outcome: string, reason?: string) =>
      points.find((p) => p.attributes.outcome === outcome && p.attributes.reason === reason)?.value;
    expect(value('delivered')).toBe(1);
    expect(value('dropped', 'not_llm')).toBe(1);
    expect(all.map((metric) => metric.descriptor.name)).toEqual(
      expect.arrayContaining(['humanloop.exporter.logs.held', 'humanloop.exporter.buffer.size']),
    );
  });
});
