import { gzipSync } from 'node:zlib';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { afterEach, describe, expect, it } from 'vitest';
import { startOtlpGateway, type OtlpGateway, type OtlpGatewayOptions } from '../../src/gateway/index.js';
import { ExportTraceServiceRequest as Request } from '../../src/gateway/otlp-messages.js';
import { startTestLogServer, type TestLogServer } from '../../src/testing/index.js';
import { API_KEY } from '../../../../test/helpers/harness.js';
import { chatSpans, CHAT_ATTRIBUTES } from '../../../../test/helpers/spans.js';
import { until } from '../../../../test/helpers/until.js';

const TOKEN = 'gw-token-3b9e1d';
const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';

let server: TestLogServer | undefined;
let gateway: OtlpGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  await server?.close();
  gateway = server = undefined;
});

async function start(options: OtlpGatewayOptions = {}): Promise<{ gateway: OtlpGateway; server: TestLogServer }> {
  server = await startTestLogServer({ apiKey: API_KEY });
  gateway = await startOtlpGateway({ port: 0, ...options, exporter: { apiKey: API_KEY, baseUrl: server.url, ...options.exporter } });
  return { gateway, server };
}

function post(path: string, body: Uint8Array | string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${gateway!.url}${path}`, { method: 'POST', headers, body, signal: AbortSignal.timeout(5_000) });
}

function postJson(value: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return post('/v1/traces', JSON.stringify(value), { 'content-type': 'application/json', ...headers });
}

/** An OTLP/JSON request holding these spans under one resource and scope. */
function jsonRequest(spans: unknown[]): unknown {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'python-bot' } }] },
        scopeSpans: [{ scope: { name: 'opentelemetry.instrumentation.openai', version: '0.40.0' }, spans }],
      },
    ],
  };
}

function chatSpanJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    traceId: TRACE,
    spanId: SPAN,
    name: 'chat gpt-4o',
    kind: 3,
    startTimeUnixNano: '1767225600000000000',
    endTimeUnixNano: '1767225601500000000',
    attributes: [
      { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
      { key: 'gen_ai.provider.name', value: { stringValue: 'openai' } },
      { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
      { key: 'gen_ai.usage.input_tokens', value: { intValue: '12' } },
      { key: 'gen_ai.usage.output_tokens', value: { intValue: 5 } },
      { key: 'gen_ai.request.temperature', value: { doubleValue: 0.25 } },
      { key: 'gen_ai.response.finish_reasons', value: { arrayValue: { values: [{ stringValue: 'stop' }] } } },
      { key: 'gen_ai.input.messages', value: { stringValue: JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }]) } },
      { key: 'app.request', value: { kvlistValue: { values: [{ key: 'tier', value: { stringValue: 'gold' } }, { key: 'n', value: { intValue: '3' } }] } } },
    ],
    status: { code: 'STATUS_CODE_OK' },
    ...overrides,
  };
}

describe('POST /v1/traces', () => {
  it('maps an OTLP/JSON span from another language as the exporter would: ids, times, attribute types', async () => {
    const { server } = await start();
    const response = await postJson(jsonRequest([chatSpanJson()]));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({});
    await until(() => server.logs().length === 1, 'the log');
    const [log] = server.logs();
    expect(log).toMatchObject({
      reference_id: SPAN,
      project: 'python-bot',
      created_at: '2026-01-01T00:00:00.000000Z',
      duration: 1.5,
      prompt_tokens: 12,
      output_tokens: 5,
      config: { type: 'model', model: 'gpt-4o', provider: 'openai', temperature: 0.25 },
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(log.metadata).toMatchObject({ otel: { trace_id: TRACE, span_id: SPAN, scope: { name: 'opentelemetry.instrumentation.openai', version: '0.40.0' } } });
  });

  it('answers a partial success naming the spans it refused, and delivers the rest', async () => {
    const { server, gateway } = await start();
    const spans = [chatSpanJson(), chatSpanJson({ spanId: 'zz', name: 'bad id' }), chatSpanJson({ traceId: '0'.repeat(32), spanId: 'aaaaaaaaaaaaaaaa' })];
    const response = await postJson(jsonRequest(spans));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { partialSuccess: { rejectedSpans: number; errorMessage: string } };
    expect(body.partialSuccess.rejectedSpans).toBe(2);
    expect(body.partialSuccess.errorMessage).toMatch(/spanId/);
    await until(() => server.logs().length === 1, 'the valid span’s log');
    expect(gateway.stats().spans).toMatchObject({ received: 3, rejected: 2 });
  });

  it('accepts base64 ids (the generic protobuf JSON mapping) as well as hex', async () => {
    const { server } = await start();
    const traceId = Buffer.from(TRACE, 'hex').toString('base64');
    const spanId = Buffer.from(SPAN, 'hex').toString('base64');
    expect((await postJson(jsonRequest([chatSpanJson({ traceId, spanId })]))).status).toBe(200);
    await until(() => server.logs().length === 1, 'the log');
    expect(server.logs()[0]).toMatchObject({ reference_id: SPAN });
  });

  it('decodes protobuf, gzip or not, and answers in protobuf with a partial success when spans are refused', async () => {
    const { server } = await start();
    const spans = chatSpans(3);
    const bytes = ProtobufTraceSerializer.serializeRequest(spans)!;
    const plain = await post('/v1/traces', bytes, { 'content-type': 'application/x-protobuf' });
    expect(plain.status).toBe(200);
    expect(ProtobufTraceSerializer.deserializeResponse(new Uint8Array(await plain.arrayBuffer()))).toEqual({});
    const zipped = await post('/v1/traces', gzipSync(ProtobufTraceSerializer.serializeRequest(chatSpans(2))!), {
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
    });
    expect(zipped.status).toBe(200);
    await until(() => server.logs().length === 5, 'five logs');

    const bad = Request.encode(
      Request.fromObject({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.alloc(3), spanId: Buffer.alloc(8, 1), name: 'x' }] }] }] }),
    ).finish();
    const partial = await post('/v1/traces', bad, { 'content-type': 'application/x-protobuf' });
    expect(partial.status).toBe(200);
    const answer = ProtobufTraceSerializer.deserializeResponse(new Uint8Array(await partial.arrayBuffer()));
    // An int64: a number or a Long, depending on the reader's protobufjs setup.
    expect(Number(answer.partialSuccess?.rejectedSpans)).toBe(1);
    expect(answer.partialSuccess?.errorMessage).toContain('traceId');
  });

  it('keeps the JS JSON serializer’s spans intact (the same request OTLPTraceExporter sends)', async () => {
    const { server } = await start();
    const response = await post('/v1/traces', JsonTraceSerializer.serializeRequest(chatSpans(1))!, { 'content-type': 'application/json' });
    expect(response.status).toBe(200);
    await until(() => server.logs().length === 1, 'the log');
    expect(server.logs()[0]).toMatchObject({ config: { model: CHAT_ATTRIBUTES['gen_ai.request.model'] }, output: 'Hello!' });
  });

  it('refuses what it cannot take with the status OTLP senders expect, and the server keeps running', async () => {
    await start({ maxBodyBytes: 4096 });
    const cases: Array<[Promise<Response>, number]> = [
      [post('/v1/traces', '{}', { 'content-type': 'text/plain' }), 415],
      [post('/v1/traces', '{}', { 'content-type': 'application/json', 'content-encoding': 'br' }), 415],
      [post('/v1/traces', 'not json', { 'content-type': 'application/json' }), 400],
      [post('/v1/traces', '[1]', { 'content-type': 'application/json' }), 400],
      [post('/v1/traces', Buffer.from([0xff, 0xff, 0xff]), { 'content-type': 'application/x-protobuf' }), 400],
      [post('/v1/traces', 'not gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 400],
      [post('/v1/traces', 'x'.repeat(5000), { 'content-type': 'application/json' }), 413],
      // Small on the wire, past the limit once decompressed.
      [post('/v1/traces', gzipSync(Buffer.alloc(100_000, 0x20)), { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 413],
      [fetch(`${gateway!.url}/v1/traces`), 405],
      [fetch(`${gateway!.url}/elsewhere`), 404],
    ];
    for (const [response, status] of cases) expect((await response).status).toBe(status);
    expect((await postJson(jsonRequest([chatSpanJson()]))).status).toBe(200);
    expect(gateway!.stats().requests).toMatchObject({ accepted: 1, refused: 9 });
  });
});

describe('auth, health and metrics', () => {
  it('takes spans only with the bearer token; /health needs none, /metrics does', async () => {
    const { server } = await start({ token: TOKEN });
    expect((await postJson(jsonRequest([chatSpanJson()]))).status).toBe(401);
    expect((await postJson(jsonRequest([chatSpanJson()]), { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await postJson(jsonRequest([chatSpanJson()]), { authorization: `Basic ${TOKEN}` })).status).toBe(401);
    expect((await postJson(jsonRequest([chatSpanJson()]), { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    await until(() => server.logs().length === 1, 'the log');
    expect(await (await fetch(`${gateway!.url}/health`)).json()).toEqual({ status: 'ok', pendingSpans: expect.any(Number) });
    expect((await fetch(`${gateway!.url}/metrics`)).status).toBe(401);
    const metrics = await fetch(`${gateway!.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await metrics.json()).toMatchObject({
      requests: { accepted: 1, refused: 3 },
      spans: { received: 1, rejected: 0 },
      exporter: { spans: { seen: 1 } },
    });
    const text = await (await fetch(`${gateway!.url}/metrics?format=prometheus`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    expect(text).toContain('humanloop_gateway_requests_accepted 1\n');
    expect(text).toMatch(/^humanloop_gateway_exporter_spans_seen 1$/m);
  });

  it('will not listen beyond loopback without a token, nor start without a Humanloop key', async () => {
    await expect(startOtlpGateway({ port: 0, host: '0.0.0.0', exporter: { apiKey: API_KEY } })).rejects.toThrow(/requires a token/);
    await expect(startOtlpGateway({ port: 0, exporter: { apiKey: '' } })).rejects.toThrow(/API key/);
  });
});
