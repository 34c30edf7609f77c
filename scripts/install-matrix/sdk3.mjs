// OpenTelemetry JS SDK 3.x (Node 22.15+): its TracerProvider with an OTLP/HTTP exporter beside (SDK 3 processors take options).
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { HumanloopSpanProcessor } from 'humanloop-otel-exporter';
import { check, llmSpan } from './harness.mjs';

await check(async ({ humanloop, sink }) => {
  const provider = new TracerProvider({
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: sink.tracesUrl }) }), new HumanloopSpanProcessor(humanloop)],
  });
  const spanId = llmSpan(provider.getTracer('install-matrix'));
  await provider.shutdown();
  return [spanId];
});
