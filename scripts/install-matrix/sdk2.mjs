// OpenTelemetry JS SDK 2.x, as the README shows it: NodeTracerProvider with an OTLP/HTTP exporter beside.
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { HumanloopSpanProcessor } from 'humanloop-otel-exporter';
import { check, llmSpan } from './harness.mjs';

await check(async ({ humanloop, sink }) => {
  const provider = new NodeTracerProvider({
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: sink.tracesUrl })), new HumanloopSpanProcessor(humanloop)],
  });
  provider.register();
  const spanId = llmSpan(trace.getTracer('install-matrix'));
  await provider.shutdown();
  return [spanId];
});
