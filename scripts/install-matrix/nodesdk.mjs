// NodeSDK with the auto-instrumentations and OTLP exporters (HTTP/JSON and HTTP/protobuf) beside.
import { trace } from '@opentelemetry/api';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { HumanloopSpanProcessor } from 'humanloop-otel-exporter';
import { check, llmSpan } from './harness.mjs';

await check(async ({ humanloop, sink }) => {
  const sdk = new NodeSDK({
    serviceName: 'install-matrix',
    spanProcessors: [
      new BatchSpanProcessor({ exporter: new JsonExporter({ url: sink.tracesUrl }) }),
      new BatchSpanProcessor({ exporter: new ProtobufExporter({ url: sink.tracesUrl }) }),
      new HumanloopSpanProcessor(humanloop),
    ],
    instrumentations: [getNodeAutoInstrumentations({ '@opentelemetry/instrumentation-fs': { enabled: false } })],
  });
  sdk.start();
  const spanId = llmSpan(trace.getTracer('install-matrix'));
  await sdk.shutdown();
  return [spanId];
});
