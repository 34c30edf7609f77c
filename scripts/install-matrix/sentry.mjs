// Sentry with an existing OpenTelemetry setup, as its SDK documents it: a NodeTracerProvider exporting
// to Sentry's OTLP endpoint, Sentry.init with openTelemetryIntegration, and our processor beside.
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import * as Sentry from '@sentry/node';
import { HumanloopSpanProcessor } from 'humanloop-otel-exporter';
import { check, llmSpan } from './harness.mjs';

await check(async ({ humanloop, sink }) => {
  const dsn = `${sink.url.replace('//', '//public@')}/1`;
  const provider = new NodeTracerProvider({
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter(Sentry.getOtlpTracesEndpoint(dsn))), new HumanloopSpanProcessor(humanloop)],
  });
  provider.register();
  Sentry.init({ dsn, integrations: [Sentry.openTelemetryIntegration()] });
  const spanId = llmSpan(trace.getTracer('install-matrix'));
  await provider.shutdown();
  await Sentry.close(2_000);
  return [spanId];
});
