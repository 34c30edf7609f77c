import { OTLPTraceExporter as OtlpGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OtlpHttpExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { startOtlpGateway, type OtlpGateway } from '../../src/gateway/index.js';
import { HumanloopSpanExporter } from 'humanloop-otel-exporter';
import { API_KEY, DIALECTS, type Dialect } from '../../../../test/helpers/harness.js';
import type { TestLogServer } from '../../src/testing/index.js';
import { testScope } from '../../../../test/helpers/scope.js';
import { until } from '../../../../test/helpers/until.js';
import { runApp, startApp } from './app.js';
import { storedTree } from './trees.js';

const scope = testScope();

async function gatewayTo(server: TestLogServer, api: Dialect): Promise<OtlpGateway> {
  const gateway = await startOtlpGateway({ port: 0, grpcPort: 0, exporter: { api, apiKey: API_KEY, baseUrl: server.url } });
  scope.defer(() => gateway.close());
  return gateway;
}

type Sender = 'http/json' | 'http/protobuf' | 'grpc';

function otlpExporter(sender: Sender, gateway: OtlpGateway, compression: 'gzip' | 'none'): SpanExporter {
  if (sender === 'grpc') return new OtlpGrpcExporter({ url: `http://127.0.0.1:${gateway.grpcPort}`, compression: compression as never });
  const options = { url: `${gateway.url}/v1/traces`, compression: compression as never };
  return sender === 'http/json' ? new OtlpHttpExporter(options) : new OtlpProtoExporter(options);
}

/**
 * One app, two pipelines for the same spans: the Humanloop exporter in process to one log server,
 * and a real OTLP exporter to the gateway, which delivers to another.
 */
async function runBoth(api: Dialect, sender: Sender, compression: 'gzip' | 'none') {
  const direct = await scope.server({ api });
  const viaGateway = await scope.server({ api });
  const gateway = await gatewayTo(viaGateway, api);
  const inProcess = new HumanloopSpanExporter({ api, apiKey: API_KEY, baseUrl: direct.url }, { env: {} });
  const { provider, tracer } = startApp([
    new BatchSpanProcessor(inProcess, { scheduledDelayMillis: 50 }),
    new BatchSpanProcessor(otlpExporter(sender, gateway, compression), { scheduledDelayMillis: 50 }),
  ]);
  scope.defer(() => provider.shutdown());
  const made = runApp(tracer);
  await provider.forceFlush();
  // The gateway answered once it took the spans; wait until its exporter has called back for all.
  await until(() => gateway.stats().spans.received === made && gateway.stats().spans.pending === 0, 'the gateway to take every span', {
    timeoutMillis: 10_000,
  });
  await gateway.exporter.forceFlush();
  await inProcess.forceFlush();
  return { direct, viaGateway, gateway, made, inProcess };
}

describe('the gateway delivers what the in-process exporter would', () => {
  for (const api of DIALECTS) {
    for (const [sender, compression] of [['http/json', 'none'], ['http/protobuf', 'gzip'], ['http/protobuf', 'none'], ['http/json', 'gzip'], ['grpc', 'gzip'], ['grpc', 'none']] as const) {
      it(`stores the same tree (${api}, ${sender}, ${compression})`, async () => {
        const { direct, viaGateway, gateway, made, inProcess } = await runBoth(api, sender, compression);
        const expected = storedTree(direct, api);
        expect(expected.length).toBeGreaterThan(10);
        expect(expected.some((node) => node.parentSpanId !== null)).toBe(true);
        expect(storedTree(viaGateway, api)).toEqual(expected);
        const stats = gateway.stats();
        expect(stats.spans).toMatchObject({ received: made, rejected: 0, pending: 0, failedExports: 0 });
        expect(stats.exporter.spans).toEqual(inProcess.stats().spans);
      });
    }
  }
});
