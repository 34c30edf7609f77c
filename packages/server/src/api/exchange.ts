/** One request and its answer: what the server records of it, the faults it plays, how it answers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { ownValue } from '../common/own-keys.js';
import { isLoopbackPeer } from './access.js';
import type { Fault } from './faults.js';
import type { JsonParse } from './http-body.js';
import type { RecordedRequest } from './request-records.js';
import { StoreFullError, StoreUnavailableError } from '../store/types.js';
import type { Reply } from './replies.js';
import type { ApiRequest } from './routes.js';

export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  record: RecordedRequest;
  slowBodyMillis?: number;
}

const DEFAULT_FAULT_BODY = { detail: 'injected fault' };

/** How long a client is asked to wait when the store cannot be reached. */
const STORE_RETRY_AFTER_SECONDS = 5;

const SECRET_HEADERS = new Set(['x-api-key', 'authorization', 'proxy-authorization', 'cookie']);

// After a 413 the rest of the body is read and dropped; a client still sending after this is cut off.
const DRAIN_GRACE_MILLIS = 2_000;

export function apiRequest({ req, record }: Exchange, body: JsonParse): ApiRequest {
  const { headers } = req;
  return {
    method: record.method,
    target: record.path,
    apiKey: singleHeader(headers['x-api-key']),
    loopbackPeer: isLoopbackPeer(req.socket.remoteAddress),
    contentType: headers['content-type'],
    body,
    index: record.index,
  };
}

/** What a request that failed answers: "try again" for a store out of reach or full (the exporter keeps its logs), else 500. */
export function storeFailureReply(error: unknown): Reply {
  if (error instanceof StoreUnavailableError) return { status: 503, body: { detail: 'the log store cannot be reached now: try again later' }, headers: { 'retry-after': String(STORE_RETRY_AFTER_SECONDS) } };
  if (error instanceof StoreFullError) return { status: 507, body: { detail: 'the log store is full: nothing of the request was stored' } };
  return { status: 500, body: { detail: 'local log server error' } };
}

/** Plays a fault: `finished` when the request is done with (answered, dropped or hung). */
export async function playFault(exchange: Exchange, fault: Fault, closing: AbortSignal): Promise<'finished' | 'continue'> {
  if ('drop' in fault) {
    if (fault.drop === 'reset') exchange.req.socket.destroy();
    return 'finished';
  }
  if ('slowBodyMillis' in fault) {
    exchange.slowBodyMillis = fault.slowBodyMillis;
    return 'continue';
  }
  if (fault.delayMillis) await sleep(fault.delayMillis, undefined, { signal: closing });
  if (!('status' in fault)) return 'continue';
  const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter };
  send(exchange, { status: fault.status, body: fault.body ?? DEFAULT_FAULT_BODY }, headers);
  return 'finished';
}

export function refuseTooLarge(exchange: Exchange): void {
  send(exchange, { status: 413, body: { detail: 'request body too large' } }, { connection: 'close' });
  const { socket } = exchange.req;
  exchange.res.once('finish', () => setTimeout(() => socket.destroy(), DRAIN_GRACE_MILLIS).unref());
}

export function send(exchange: Exchange, reply: Reply, headers: Record<string, string> = {}): void {
  const { res, record } = exchange;
  record.status = reply.status;
  record.answeredAt = performance.now();
  if (res.destroyed || res.headersSent) return;
  const { type, bytes } = encode(reply.body);
  res.writeHead(reply.status, { ...headers, ...reply.headers, 'content-type': type, 'content-length': bytes.length });
  const slow = exchange.slowBodyMillis;
  if (!slow) return void res.end(bytes);
  res.write(bytes.subarray(0, 1));
  setTimeout(() => (res.destroyed ? undefined : res.end(bytes.subarray(1))), slow);
}

/** JSON, except that a string (an injected fault's body) is sent as it is, like a proxy's error page. */
function encode(body: unknown): { type: string; bytes: Buffer } {
  if (typeof body === 'string') return { type: 'text/plain; charset=utf-8', bytes: Buffer.from(body) };
  return { type: 'application/json', bytes: Buffer.from(JSON.stringify(body) ?? 'null') };
}

export function countItems(method: string, json: JsonParse | undefined): number {
  if (method !== 'POST' || !json?.ok) return 0;
  return Array.isArray(json.value) ? json.value.length : 1;
}

/** Node joins repeated headers it does not know into one string; an array is refused as no value. */
export function singleHeader(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function redactedHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = SECRET_HEADERS.has(name) ? '[present]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

const CLIENT_ERROR_STATUS: Readonly<Record<string, string>> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  // A request not received within requestTimeoutMillis (or its headers within the headers timeout).
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

/** Malformed or timed-out requests (bad request line, oversized headers, too slow) get a bare answer instead of a reset. */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') return void socket.destroy();
  const status = ownValue(CLIENT_ERROR_STATUS, error.code ?? '') ?? '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
