import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs/light.js';
import { request } from 'undici';
import { OTLP_TRACE_DESCRIPTOR } from '../../src/gateway/otlp-descriptor.js';

/**
 * What the OpenTelemetry Collector's `loadbalancing` exporter does with `routing_key: traceID`,
 * in a few lines for tests: an OTLP/HTTP receiver that splits each request by trace id and
 * forwards each part to the backend its trace id hashes to, so that every span of a trace
 * reaches the same backend. It answers with the worst status of the forwards (and their
 * Retry-After), so senders retry what a backend refused.
 */
export interface TraceIdRouter {
  url: string;
  /** Spans forwarded to each backend, in the order of `backends`. */
  forwarded: number[];
  close(): Promise<void>;
}

const root = protobuf.Root.fromJSON(OTLP_TRACE_DESCRIPTOR);
const Request = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');

type Loose = Record<string, unknown>;
interface Part {
  request: { resourceSpans: Loose[] };
  spans: number;
}

export async function startTraceIdRouter(backends: string[]): Promise<TraceIdRouter> {
  const forwarded = backends.map(() => 0);
  const server = createServer((req, res) => {
    route(req, res, backends, forwarded).catch(() => res.writeHead(502).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, backends: string[], forwarded: number[]): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let body = Buffer.concat(chunks);
  if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
  const json = (req.headers['content-type'] ?? '').startsWith('application/json');
  const decoded = json ? (JSON.parse(body.toString('utf8')) as Loose) : Request.toObject(Request.decode(body));
  const parts = split(decoded, backends.length, json);
  const answers = await Promise.all(
    [...parts].map(async ([index, part]) => {
      const payload = json ? JSON.stringify(part.request) : Request.encode(Request.fromObject(part.request)).finish();
      const answer = await request(`${backends[index]}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': json ? 'application/json' : 'application/x-protobuf' },
        body: payload,
      });
      await answer.body.dump();
      if (answer.statusCode === 200) forwarded[index] += part.spans;
      return { status: answer.statusCode, retryAfter: answer.headers['retry-after'] };
    }),
  );
  const worst = answers.reduce((a, b) => (b.status > a.status ? b : a), { status: 200, retryAfter: undefined });
  if (typeof worst.retryAfter === 'string') res.setHeader('retry-after', worst.retryAfter);
  res.writeHead(worst.status, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
  res.end(json ? '{}' : Buffer.alloc(0));
}

/** The request's spans grouped by backend, each group keeping its resource and scope. */
function split(request: Loose, backends: number, json: boolean): Map<number, Part> {
  const parts = new Map<number, Part>();
  for (const resourceSpans of (request.resourceSpans as Loose[] | undefined) ?? []) {
    for (const scopeSpans of (resourceSpans.scopeSpans as Loose[] | undefined) ?? []) {
      for (const span of (scopeSpans.spans as Loose[] | undefined) ?? []) {
        const traceId = json ? String(span.traceId) : Buffer.from(span.traceId as Uint8Array).toString('hex');
        const index = hash(traceId) % backends;
        const part = parts.get(index) ?? { request: { resourceSpans: [] }, spans: 0 };
        parts.set(index, part);
        scopeOf(part, resourceSpans, scopeSpans).push(span);
        part.spans++;
      }
    }
  }
  return parts;
}

/** The span list of this resource and scope within a part, created on first use. */
function scopeOf(part: Part, resourceSpans: Loose, scopeSpans: Loose): Loose[] {
  let resource = part.request.resourceSpans.find((item) => item.source === resourceSpans);
  if (!resource) {
    resource = { resource: resourceSpans.resource, schemaUrl: resourceSpans.schemaUrl, scopeSpans: [] };
    Object.defineProperty(resource, 'source', { value: resourceSpans, enumerable: false });
    part.request.resourceSpans.push(resource);
  }
  const scopes = resource.scopeSpans as Loose[];
  let scope = scopes.find((item) => item.source === scopeSpans);
  if (!scope) {
    scope = { scope: scopeSpans.scope, schemaUrl: scopeSpans.schemaUrl, spans: [] };
    Object.defineProperty(scope, 'source', { value: scopeSpans, enumerable: false });
    scopes.push(scope);
  }
  return scope.spans as Loose[];
}

/** FNV-1a over the trace id's text. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
