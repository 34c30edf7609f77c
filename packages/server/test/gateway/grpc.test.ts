import { credentials, makeGenericClientConstructor, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { startOtlpGateway, type OtlpGateway } from '../../src/gateway/index.js';
import { startTestLogServer, type TestLogServer } from '../../src/testing/index.js';
import { API_KEY } from '../../../../test/helpers/harness.js';
import { chatSpans } from '../../../../test/helpers/spans.js';
import { until } from '../../../../test/helpers/until.js';

const TOKEN = 'grpc-token-51d0';
let server: TestLogServer | undefined;
let gateway: OtlpGateway | undefined;
const exporters: OTLPTraceExporter[] = [];
afterEach(async () => {
  for (const exporter of exporters.splice(0)) await exporter.shutdown();
  await gateway?.close();
  await server?.close();
  gateway = server = undefined;
});

function exportWith(spans: ReadableSpan[], metadata?: Metadata): Promise<ExportResult> {
  const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${gateway!.grpcPort}`, metadata, timeoutMillis: 5_000 });
  exporters.push(exporter);
  return new Promise((resolve) => exporter.export(spans, resolve));
}

/** A bare gRPC call to the trace service's Export, with these request bytes. */
function rawExport(bytes: Buffer, metadata = new Metadata()): Promise<ServiceError | null> {
  const Client = makeGenericClientConstructor(
    {
      Export: {
        path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        requestStream: false,
        responseStream: false,
        requestSerialize: (value: Buffer) => value,
        requestDeserialize: (value: Buffer) => value,
        responseSerialize: (value: Buffer) => value,
        responseDeserialize: (value: Buffer) => value,
      },
    },
    'TraceService',
  );
  const client = new Client(`127.0.0.1:${gateway!.grpcPort}`, credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest('/opentelemetry.proto.collector.trace.v1.TraceService/Export', (v: Buffer) => v, (v: Buffer) => v, bytes, metadata, (error) => {
      client.close();
      resolve(error);
    });
  });
}

describe('OTLP/gRPC', () => {
  it('takes spans from the real gRPC exporter only with the bearer token in its metadata', async () => {
    server = await startTestLogServer({ apiKey: API_KEY });
    gateway = await startOtlpGateway({ port: 0, grpcPort: 0, token: TOKEN, exporter: { apiKey: API_KEY, baseUrl: server.url } });
    expect((await exportWith(chatSpans(1))).code).toBe(ExportResultCode.FAILED);
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${TOKEN}`);
    expect((await exportWith(chatSpans(2), metadata)).code).toBe(ExportResultCode.SUCCESS);
    await until(() => server!.logs().length === 2, 'two logs');
    expect(gateway.stats().requests).toMatchObject({ accepted: 1, refused: 1 });
  });

  it('answers INVALID_ARGUMENT to a body that is not a request, and UNAVAILABLE while too many spans are in delivery', async () => {
    server = await startTestLogServer({ apiKey: API_KEY });
    server.inject({ delayMillis: 500 });
    gateway = await startOtlpGateway({ port: 0, grpcPort: 0, maxPendingSpans: 1, batchDelayMillis: 0, exporter: { apiKey: API_KEY, baseUrl: server.url } });
    expect((await rawExport(Buffer.from([0xff, 0xff, 0xff])))?.code).toBe(status.INVALID_ARGUMENT);
    expect((await exportWith(chatSpans(1))).code).toBe(ExportResultCode.SUCCESS);
    const { ProtobufTraceSerializer } = await import('@opentelemetry/otlp-transformer');
    const refused = await rawExport(Buffer.from(ProtobufTraceSerializer.serializeRequest(chatSpans(1))!));
    expect(refused?.code).toBe(status.UNAVAILABLE);
    expect(refused?.metadata.get('retry-after')).toEqual(['1']);
  });
});
