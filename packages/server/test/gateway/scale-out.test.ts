import { OTLPTraceExporter as OtlpHttpExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { startOtlpGateway, type OtlpGateway } from '../../src/gateway/index.js';
import { ExportTraceServiceRequest } from '../../src/gateway/otlp-messages.js';
import { API_KEY, type Dialect } from '../../../../test/helpers/harness.js';
import { protobufCodec, startTraceIdRouter } from '../../../../test/helpers/trace-id-router.mjs';
import type { TestLogServer } from '../../src/testing/index.js';
import { testScope } from '../../../../test/helpers/scope.js';
import { until } from '../../../../test/helpers/until.js';
import { runApp, startApp } from './app.js';
import { storedTree } from './trees.js';

const scope = testScope();

async function gateways(count: number, server: TestLogServer, api: Dialect): Promise<OtlpGateway[]> {
  const started: OtlpGateway[] = [];
  for (let i = 0; i < count; i++) {
    const gateway = await startOtlpGateway({ port: 0, grpcPort: 0, exporter: { api, apiKey: API_KEY, baseUrl: server.url } });
    scope.defer(() => gateway.close());
    started.push(gateway);
  }
  return started;
}

/** Every span each gateway was sent has been taken and its export has called back. */
function settled(instances: OtlpGateway[], spans: number): boolean {
  const stats = instances.map((gateway) => gateway.stats().spans);
  return stats.reduce((sum, s) => sum + s.received, 0) === spans && stats.every((s) => s.pending === 0);
}

describe('scale-out behind a trace-id router (what the Collector’s loadbalancing exporter does)', () => {
  // v4: forwarded over OTLP/gRPC, as the Collector does; v5: over OTLP/HTTP.
  const cases = [
    ['v4', 'http/protobuf', 'grpc'],
    ['v5', 'http/json', 'http'],
  ] as const;
  for (const [api, sender, forward] of cases) {
    it(`stores identical trees with one gateway and with three (${api}, ${sender}, forwarded over ${forward})`, async () => {
      const one = await scope.server({ api });
      const three = await scope.server({ api });
      const [single] = await gateways(1, one, api);
      const fleet = await gateways(3, three, api);
      const router = await startTraceIdRouter(
        fleet.map((gateway) => (forward === 'grpc' ? `grpc://127.0.0.1:${gateway.grpcPort}` : gateway.url)),
        protobufCodec(ExportTraceServiceRequest),
      );
      scope.defer(() => router.close());
      const exporterFor = (url: string) =>
        sender === 'http/json' ? new OtlpHttpExporter({ url: `${url}/v1/traces` }) : new OtlpProtoExporter({ url: `${url}/v1/traces` });
      // Small batches: a trace's spans reach the gateways in several requests, children before parents.
      const batching = { maxExportBatchSize: 3, scheduledDelayMillis: 5 };
      const { provider, tracer } = startApp([
        new BatchSpanProcessor(exporterFor(single.url), batching),
        new BatchSpanProcessor(exporterFor(router.url), batching),
      ]);
      scope.defer(() => provider.shutdown());
      let made = 0;
      for (let run = 0; run < 3; run++) made += runApp(tracer);
      await provider.forceFlush();
      await until(() => settled([single], made) && settled(fleet, made), 'both deployments to take every span', { timeoutMillis: 15_000 });
      for (const gateway of [single, ...fleet]) await gateway.exporter.forceFlush();

      expect(router.forwarded.every((spans) => spans > 0)).toBe(true);
      const expected = storedTree(one, api);
      expect(expected.length).toBeGreaterThan(30);
      expect(expected.filter((node) => node.parentSpanId !== null).length).toBeGreaterThan(10);
      expect(storedTree(three, api)).toEqual(expected);
    }, 30_000);
  }
});
