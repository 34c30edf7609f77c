// What the OpenTelemetry Collector's `loadbalancing` exporter does with `routing_key: traceID`, in
// a few lines, for the tests and the bench (JavaScript, so that both can run it): an OTLP/HTTP
// receiver that splits each request by trace id and forwards each part to the backend its trace
// id hashes to, so that every span of a trace reaches the same backend. It answers with the worst
// status of the forwards (and its Retry-After), so senders retry what a backend refused. Backends
// are reached over OTLP/HTTP (`http://host:port`) or, as the Collector does, OTLP/gRPC (`grpc://host:port`).
import { createServer } from 'node:http';
import { Client, credentials, Metadata } from '@grpc/grpc-js';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';

/** ExportTraceServiceRequest in and out of protobuf, with the message type the gateway uses. */
export function protobufCodec(type) {
  // Decoded messages are re-encoded as they are (no conversion to plain objects and back).
  return { decode: (bytes) => type.decode(bytes), encode: (request) => type.encode(request).finish() };
}

export async function startTraceIdRouter(backends, codec) {
  const forwarded = backends.map(() => 0);
  const server = createServer((req, res) => {
    route(req, res, backends, forwarded, codec).catch(() => res.writeHead(502).end());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    forwarded,
    close: () =>
      new Promise((resolve) => {
        for (const client of grpcClients.values()) client.close();
        grpcClients.clear();
        server.close(() => resolve());
      }),
  };
}

async function route(req, res, backends, forwarded, codec) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  let body = Buffer.concat(chunks);
  if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
  const json = (req.headers['content-type'] ?? '').startsWith('application/json');
  const decoded = json ? JSON.parse(body.toString('utf8')) : codec.decode(body);
  const parts = split(decoded, backends.length, json);
  const answers = await Promise.all(
    [...parts].map(async ([index, part]) => {
      const answer = backends[index].startsWith('grpc://')
        ? await forwardGrpc(backends[index], codec.encode(part.request))
        : await forwardHttp(backends[index], json, json ? JSON.stringify(part.request) : codec.encode(part.request));
      if (answer.status === 200) forwarded[index] += part.spans;
      return answer;
    }),
  );
  const worst = answers.reduce((a, b) => (b.status > a.status ? b : a), { status: 200, retryAfter: undefined });
  if (typeof worst.retryAfter === 'string') res.setHeader('retry-after', worst.retryAfter);
  res.writeHead(worst.status, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
  res.end(json ? '{}' : Buffer.alloc(0));
}

async function forwardHttp(backend, json, body) {
  const answer = await request(`${backend}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': json ? 'application/json' : 'application/x-protobuf' },
    body,
  });
  await answer.body.dump();
  return { status: answer.statusCode, retryAfter: answer.headers['retry-after'] };
}

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
/** gRPC codes OTLP clients retry, as HTTP statuses the sender retries (UNAVAILABLE → 503). */
const GRPC_TO_HTTP = { 0: 200, 3: 400, 8: 429, 14: 503, 16: 401 };
const grpcClients = new Map();

function forwardGrpc(backend, body) {
  const target = backend.slice('grpc://'.length);
  let client = grpcClients.get(target);
  if (!client) grpcClients.set(target, (client = new Client(target, credentials.createInsecure())));
  return new Promise((resolve) => {
    client.makeUnaryRequest(EXPORT_PATH, (bytes) => Buffer.from(bytes), (bytes) => bytes, body, new Metadata(), (error) => {
      const retryAfter = error?.metadata?.get('retry-after')[0];
      resolve({ status: GRPC_TO_HTTP[error?.code ?? 0] ?? 500, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined });
    });
  });
}

/** The request's spans grouped by backend, each group keeping its resource and scope. */
function split(request, backends, json) {
  const parts = new Map();
  for (const resourceSpans of request.resourceSpans ?? []) {
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        const traceId = json ? String(span.traceId) : Buffer.from(span.traceId).toString('hex');
        const index = hash(traceId) % backends;
        const part = parts.get(index) ?? { request: { resourceSpans: [] }, spans: 0, groups: new Map() };
        parts.set(index, part);
        spansOf(part, resourceSpans, scopeSpans).push(span);
        part.spans++;
      }
    }
  }
  return parts;
}

/** The span list of this resource and scope within a part, made on first use. */
function spansOf(part, resourceSpans, scopeSpans) {
  let group = part.groups.get(scopeSpans);
  if (group) return group;
  let resource = part.groups.get(resourceSpans);
  if (!resource) {
    resource = { resource: resourceSpans.resource, schemaUrl: resourceSpans.schemaUrl, scopeSpans: [] };
    part.groups.set(resourceSpans, resource);
    part.request.resourceSpans.push(resource);
  }
  const scope = { scope: scopeSpans.scope, schemaUrl: scopeSpans.schemaUrl, spans: [] };
  resource.scopeSpans.push(scope);
  group = scope.spans;
  part.groups.set(scopeSpans, group);
  return group;
}

/** FNV-1a over the trace id's text. */
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
