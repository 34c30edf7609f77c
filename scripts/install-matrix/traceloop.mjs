// OpenLLMetry (Traceloop's SDK) with our processor added through its `processor` option, its own
// exporter sending to the sink.
import { trace } from '@opentelemetry/api';
import * as traceloop from '@traceloop/node-server-sdk';
import { HumanloopSpanProcessor } from 'humanloop-otel-exporter';
import { check, llmSpan } from './harness.mjs';

await check(async ({ humanloop, sink }) => {
  const processor = new HumanloopSpanProcessor(humanloop);
  traceloop.initialize({
    appName: 'install-matrix',
    apiKey: 'install-matrix',
    baseUrl: sink.url,
    processor,
    disableBatch: true,
    traceloopSyncEnabled: false,
    silenceInitializationMessage: true,
  });
  const spanId = llmSpan(trace.getTracer('install-matrix'));
  await traceloop.forceFlush();
  await processor.forceFlush();
  await processor.shutdown();
  return [spanId];
});
