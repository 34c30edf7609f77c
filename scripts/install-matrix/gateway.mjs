// The gateway with the protobufjs and gRPC versions installed beside it: a span over OTLP/HTTP
// protobuf and one over OTLP/gRPC, each from the real exporter, become logs.
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createRequire } from 'node:module';
import { startOtlpGateway } from 'humanloop-otel-exporter/gateway';
import { check, llmSpan } from './harness.mjs';

/** The versions the gateway loads: those resolved from the installed package. */
const fromPackage = createRequire(import.meta.resolve('humanloop-otel-exporter/gateway'));
const versions = ['@grpc/grpc-js', 'protobufjs'].map((name) => `${name} ${fromPackage(`${name}/package.json`).version}`).join(', ');

async function sendThrough(exporter) {
  const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  const spanId = llmSpan(provider.getTracer('install-matrix'));
  await provider.shutdown();
  return spanId;
}

await check(async ({ humanloop }) => {
  const gateway = await startOtlpGateway({ port: 0, grpcPort: 0, batchDelayMillis: 0, exporter: humanloop });
  try {
    const viaHttp = await sendThrough(new ProtobufExporter({ url: `${gateway.url}/v1/traces` }));
    const viaGrpc = await sendThrough(new GrpcExporter({ url: `http://127.0.0.1:${gateway.grpcPort}` }));
    return [viaHttp, viaGrpc];
  } finally {
    await gateway.close();
  }
}, `the gateway ran on ${versions}`);
