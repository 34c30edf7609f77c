import { createServer } from 'node:http';
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ExportResultCode, TraceState, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import protobuf7 from 'protobufjs-7/light.js';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeRequest } from '../../src/gateway/otlp-codec.js';
import { ExportTraceServiceRequest } from '../../src/gateway/otlp-messages.js';
import { OTLP_MESSAGES, OTLP_TRACE_SCHEMA } from '../../src/gateway/otlp-schema.js';
import { convertRequest, type GatewaySpan } from '../../src/gateway/otlp-spans.js';

/**
 * The gateway's own OTLP schema against the real OpenTelemetry JS exporters: what each one sends
 * (OTLP/HTTP protobuf, OTLP/gRPC, OTLP/HTTP JSON), captured over real sockets, decodes to every
 * field the exporter wrote, and to the span the exporter was given.
 */

const PARENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT_SPAN = 'b7ad6b7169203331';
const LINKED_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const LINKED_SPAN = '00f067aa0ba902b7';
const SCHEMA_URL = 'https://opentelemetry.io/schemas/1.30.0';
const START: [number, number] = [1767225600, 123456789];
const EVENT_TIME: [number, number] = [1767225600, 500000001];
const END: [number, number] = [1767225601, 987654321];
/** Past 2^53: a double would lose it. */
const BIG = 2 ** 53 + 2;

/**
 * One span with every field an SDK gives: a remote parent with a trace state, a kind, nanosecond
 * times, attributes of each kind the API takes (one dropped by the limit), events (the first
 * dropped; one with a dropped attribute), links (the first dropped; one with attributes, a trace
 * state and flags), an error status, a resource and a scope with a version and a schema URL.
 */
function sdkSpan(): ReadableSpan {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'schema-check', 'process.pid': 4242 }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
    spanLimits: { attributeCountLimit: 7, eventCountLimit: 2, linkCountLimit: 1, attributePerEventCountLimit: 1, attributePerLinkCountLimit: 1 },
  });
  const parent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: PARENT_TRACE,
    spanId: PARENT_SPAN,
    traceFlags: 1,
    isRemote: true,
    traceState: new TraceState('vendor=value'),
  });
  const links = [
    { context: { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 0 } },
    {
      context: { traceId: LINKED_TRACE, spanId: LINKED_SPAN, traceFlags: 1, isRemote: true, traceState: new TraceState('linked=1') },
      attributes: { 'link.kept': 'yes', 'link.dropped': 'no' },
    },
  ];
  const attributes = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', ok: true, tokens: 12, big: BIG, temperature: 0.25, 'finish.reasons': ['stop', 'length'], dropped: 'x' };
  const span = provider.getTracer('schema-scope', '1.2.3', { schemaUrl: SCHEMA_URL }).startSpan('chat gpt-4o', { kind: SpanKind.CLIENT, attributes, links, startTime: START }, parent);
  span.addEvent('dropped event', START);
  span.addEvent('gen_ai.choice', { index: 0, 'extra.attribute': 'dropped' }, EVENT_TIME);
  span.addEvent('last', END);
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited' });
  span.end(END);
  return memory.getFinishedSpans()[0];
}

/**
 * The same span with attribute values that OTLP carries and the JS API does not take, as SDKs in
 * other languages send them: a key-value list, bytes and an array of mixed kinds (the exporters'
 * encoders write them).
 */
function withOtherKinds(span: ReadableSpan): ReadableSpan {
  const attributes = { ...span.attributes, request: { tier: 'gold', n: 3, tags: ['a', 'b'] }, digest: new Uint8Array([0, 1, 254, 255]), mixed: [1, 'two', true] };
  return Object.create(span, { attributes: { value: attributes } }) as ReadableSpan;
}

const hex = (id: string) => Buffer.from(id, 'hex');
const nanos = ([seconds, nanoseconds]: [number, number]) => (BigInt(seconds) * 1_000_000_000n + BigInt(nanoseconds)).toString();
const str = (stringValue: string) => ({ stringValue });
const int = (value: number) => ({ intValue: String(value) });

/** What the exporters write for `withOtherKinds(sdkSpan())`, field for field, as the gateway decodes it. */
function expectedRequest(spanId: string): unknown {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: str('schema-check') }, { key: 'process.pid', value: int(4242) }] },
        scopeSpans: [
          {
            scope: { name: 'schema-scope', version: '1.2.3' },
            schemaUrl: SCHEMA_URL,
            spans: [
              {
                traceId: hex(PARENT_TRACE),
                spanId: hex(spanId),
                traceState: 'vendor=value',
                parentSpanId: hex(PARENT_SPAN),
                // Sampled, with a parent known to be remote (bits 8 and 9).
                flags: 0x301,
                name: 'chat gpt-4o',
                kind: 3,
                startTimeUnixNano: nanos(START),
                endTimeUnixNano: nanos(END),
                attributes: [
                  { key: 'gen_ai.operation.name', value: str('chat') },
                  { key: 'gen_ai.request.model', value: str('gpt-4o') },
                  { key: 'ok', value: { boolValue: true } },
                  { key: 'tokens', value: int(12) },
                  { key: 'big', value: { intValue: String(BIG) } },
                  { key: 'temperature', value: { doubleValue: 0.25 } },
                  { key: 'finish.reasons', value: { arrayValue: { values: [str('stop'), str('length')] } } },
                  {
                    key: 'request',
                    value: {
                      kvlistValue: {
                        values: [
                          { key: 'tier', value: str('gold') },
                          { key: 'n', value: int(3) },
                          { key: 'tags', value: { arrayValue: { values: [str('a'), str('b')] } } },
                        ],
                      },
                    },
                  },
                  { key: 'digest', value: { bytesValue: Buffer.from([0, 1, 254, 255]) } },
                  { key: 'mixed', value: { arrayValue: { values: [int(1), str('two'), { boolValue: true }] } } },
                ],
                droppedAttributesCount: 1,
                events: [
                  { timeUnixNano: nanos(EVENT_TIME), name: 'gen_ai.choice', attributes: [{ key: 'index', value: int(0) }], droppedAttributesCount: 1 },
                  { timeUnixNano: nanos(END), name: 'last' },
                ],
                droppedEventsCount: 1,
                links: [
                  {
                    traceId: hex(LINKED_TRACE),
                    spanId: hex(LINKED_SPAN),
                    traceState: 'linked=1',
                    attributes: [{ key: 'link.kept', value: str('yes') }],
                    droppedAttributesCount: 1,
                    flags: 0x301,
                  },
                ],
                droppedLinksCount: 1,
                status: { code: 2, message: 'rate limited' },
              },
            ],
          },
        ],
      },
    ],
  };
}

/** What the gateway hands the exporter for that span: the span the OTLP exporter was given. */
function expectedSpan(span: ReadableSpan): unknown {
  return {
    name: span.name,
    kind: SpanKind.CLIENT,
    startTime: START,
    endTime: END,
    duration: [1, 864197532],
    // The gateway does not carry the W3C trace state over: nothing the exporter maps reads it.
    spanContext: { traceId: PARENT_TRACE, spanId: span.spanContext().spanId, traceFlags: 1, isRemote: false },
    parentSpanContext: { traceId: PARENT_TRACE, spanId: PARENT_SPAN, traceFlags: 1, isRemote: true },
    status: { code: SpanStatusCode.ERROR, message: 'rate limited' },
    attributes: {
      ...span.attributes,
      request: JSON.stringify({ tier: 'gold', n: 3, tags: ['a', 'b'] }),
      digest: Buffer.from([0, 1, 254, 255]).toString('base64'),
      mixed: ['1', 'two', 'true'],
    },
    events: [
      { name: 'gen_ai.choice', time: EVENT_TIME, attributes: { index: 0 }, droppedAttributesCount: 1 },
      { name: 'last', time: END, attributes: {}, droppedAttributesCount: 0 },
    ],
    links: [{ context: { traceId: LINKED_TRACE, spanId: LINKED_SPAN, traceFlags: 1, isRemote: true }, attributes: { 'link.kept': 'yes' }, droppedAttributesCount: 1 }],
    resource: { attributes: { 'service.name': 'schema-check', 'process.pid': 4242 }, droppedAttributesCount: 0 },
    instrumentationScope: { name: 'schema-scope', version: '1.2.3', schemaUrl: SCHEMA_URL },
    droppedAttributesCount: 1,
    droppedEventsCount: 1,
    droppedLinksCount: 1,
  };
}

/** The fields of a converted span that an SDK's ReadableSpan has, as plain data. */
function spanFields(span: GatewaySpan): unknown {
  const { name, kind, startTime, endTime, duration, parentSpanContext, status, attributes, events, links, resource, instrumentationScope } = span;
  return {
    name,
    kind,
    startTime,
    endTime,
    duration,
    spanContext: span.spanContext(),
    parentSpanContext,
    status,
    attributes,
    events,
    links,
    resource: { attributes: resource.attributes, droppedAttributesCount: resource.droppedAttributesCount },
    instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** An OTLP/HTTP endpoint on loopback that keeps each request body and answers 200. */
async function captureHttp(contentType: string): Promise<{ url: string; bodies: Buffer[] }> {
  const bodies: Buffer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': contentType }).end(contentType === 'application/json' ? '{}' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/traces`, bodies };
}

/** An OTLP/gRPC trace service on loopback that keeps each request's bytes and answers an empty response. */
async function captureGrpc(): Promise<{ url: string; bodies: Buffer[] }> {
  const bodies: Buffer[] = [];
  const server = new Server();
  const raw = (bytes: Buffer) => bytes;
  server.addService(
    {
      Export: {
        path: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        requestStream: false,
        responseStream: false,
        requestSerialize: raw,
        requestDeserialize: raw,
        responseSerialize: raw,
        responseDeserialize: raw,
      },
    },
    {
      Export: (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
        bodies.push(call.request);
        callback(null, Buffer.alloc(0));
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  closers.push(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));
  return { url: `http://127.0.0.1:${port}`, bodies };
}

interface SpanExporterLike {
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

/** Sends the span through a real OTLP exporter and returns the one body it sent. */
async function sendThrough(exporter: SpanExporterLike, span: ReadableSpan, bodies: Buffer[]): Promise<Buffer> {
  closers.push(() => exporter.shutdown());
  const result = await new Promise<ExportResult>((resolve) => exporter.export([span], resolve));
  expect(result.code).toBe(ExportResultCode.SUCCESS);
  expect(bodies).toHaveLength(1);
  return bodies[0];
}

async function protobufBody(span: ReadableSpan): Promise<Buffer> {
  const endpoint = await captureHttp('application/x-protobuf');
  return sendThrough(new ProtobufExporter({ url: endpoint.url, timeoutMillis: 5_000 }), span, endpoint.bodies);
}

async function grpcBody(span: ReadableSpan): Promise<Buffer> {
  const endpoint = await captureGrpc();
  return sendThrough(new GrpcExporter({ url: endpoint.url, timeoutMillis: 5_000 }), span, endpoint.bodies);
}

function decoded(body: Uint8Array): unknown {
  const result = decodeRequest(body, 'protobuf');
  if (!result.ok) throw new Error(result.problem);
  return result.request;
}

describe('the OTLP schema', () => {
  it('decodes every field the real OTLP/HTTP protobuf exporter writes, and gives back the span it was given', async () => {
    const span = withOtherKinds(sdkSpan());
    const request = decoded(await protobufBody(span));
    expect(request).toEqual(expectedRequest(span.spanContext().spanId));
    const converted = convertRequest(request);
    expect(converted.rejected).toBe(0);
    expect(converted.spans.map(spanFields)).toEqual([expectedSpan(span)]);
  });

  it('decodes what the real OTLP/gRPC exporter sends to the same request', async () => {
    const span = withOtherKinds(sdkSpan());
    expect(decoded(await grpcBody(span))).toEqual(expectedRequest(span.spanContext().spanId));
  });

  it('gives the same span from the real OTLP/HTTP JSON exporter as from protobuf', async () => {
    const span = withOtherKinds(sdkSpan());
    const endpoint = await captureHttp('application/json');
    const body = await sendThrough(new JsonExporter({ url: endpoint.url, timeoutMillis: 5_000 }), span, endpoint.bodies);
    const json = decodeRequest(body, 'json');
    expect(json.ok).toBe(true);
    const fromJson = convertRequest(json.ok ? json.request : undefined).spans.map(spanFields);
    const fromProtobuf = convertRequest(decoded(await protobufBody(span))).spans.map(spanFields);
    expect(fromJson).toEqual(fromProtobuf);
    expect(fromJson).toEqual([expectedSpan(span)]);
  });

  it('reads the same under protobufjs 7 as under protobufjs 8', async () => {
    const span = withOtherKinds(sdkSpan());
    const body = await protobufBody(span);
    const Request7 = protobuf7.Root.fromJSON(OTLP_TRACE_SCHEMA).lookupType(OTLP_MESSAGES.request);
    // With every field's default filled in: protobufjs 7 also lists zeros that the sender wrote out, 8 leaves them out.
    const options = { longs: String, defaults: true };
    const under7 = Request7.toObject(Request7.decode(body), options);
    expect(under7).toEqual(ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(body), options));
    expect(under7).toMatchObject(expectedRequest(span.spanContext().spanId) as object);
  });
});
