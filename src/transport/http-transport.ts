import { context } from '@opentelemetry/api';
import { suppressTracing } from '../common/otel.js';
import type { Dispatcher, request } from 'undici';
import { describeError } from '../common/diag.js';
import { HumanloopExportError, type ExportErrorReason } from '../common/errors.js';
import { parseJson } from '../common/json.js';
import { USER_AGENT } from '../common/version.js';
import { isRetryableError, isRetryableStatus } from './is-retryable.js';
import { parseRetryAfter } from './retry-after.js';

/**
 * How one HTTP request ended. The transport never throws: errors are data, and name the host
 * they came from (never the key).
 */
export type TransportResult =
  | { status: 'success'; statusCode: number; body: unknown }
  | { status: 'retryable'; retryAfterMillis?: number; error: HumanloopExportError }
  | { status: 'failure'; body: unknown; error: HumanloopExportError };

export interface TransportRequest {
  method: 'POST' | 'PATCH';
  url: URL;
  body: Buffer;
  timeoutMillis: number;
}

export interface Transport {
  send(request: TransportRequest): Promise<TransportResult>;
  /** Gets ready for a first request soon: loads what requests need, without waiting for it. */
  prepare(): void;
  close(): Promise<void>;
}

/** At most this much of a response body is read; the rest is discarded. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface HttpTransportOptions {
  apiKey: string;
  /** A dispatcher of the user's: used, never closed. Without it the transport owns a keep-alive Agent. */
  dispatcher?: Dispatcher;
  /** Connections of the owned Agent: one per request that may be in flight. */
  connections: number;
  now?: () => number;
}

/** What a request goes out with: undici's `request`, and the dispatcher it goes through. */
interface Connection {
  request: typeof request;
  dispatcher: Dispatcher;
}

export function createHttpTransport(options: HttpTransportOptions): Transport {
  let owned: Dispatcher | undefined;
  let connection: Promise<Connection> | undefined;
  let closed = false;
  // undici is loaded at the first request, not at import: it is most of what importing the
  // exporter costs, and a process that sends nothing (a cold start without an LLM call) never needs it.
  const connect = (): Promise<Connection> => {
    if (closed && !connection) return Promise.reject(new Error('the transport is closed'));
    return (connection ??= import('undici').then((undici) => {
      owned = options.dispatcher ? undefined : new undici.Agent({ keepAliveTimeout: 10_000, connections: options.connections });
      return { request: undici.request, dispatcher: options.dispatcher ?? owned! };
    }));
  };
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json',
    'user-agent': USER_AGENT,
    'x-api-key': options.apiKey,
  };
  const now = options.now ?? Date.now;
  return {
    send: (req) =>
      // The exporter's own requests must never become spans of an HTTP instrumentation.
      context.with(suppressTracing(context.active()), () => sendOnce(connect, headers, req, now)),
    prepare: () => {
      if (!connection && !closed) connect().catch(() => undefined);
    },
    close: async () => {
      closed = true;
      await connection?.catch(() => undefined);
      await owned?.close();
    },
  };
}

async function sendOnce(
  connect: () => Promise<Connection>,
  headers: Record<string, string>,
  req: TransportRequest,
  now: () => number,
): Promise<TransportResult> {
  // Timers take whole milliseconds (a deadline on the monotonic clock has fractions).
  const timeoutMillis = Math.max(1, Math.floor(req.timeoutMillis));
  try {
    const { request, dispatcher } = await connect();
    const response = await request(req.url, {
      method: req.method,
      headers,
      body: req.body,
      dispatcher,
      signal: AbortSignal.timeout(timeoutMillis),
      headersTimeout: timeoutMillis,
      bodyTimeout: timeoutMillis,
    });
    const text = await readCapped(response.body);
    return toResult(req.url.host, response.statusCode, response.headers['retry-after'], text, now);
  } catch (error) {
    return fromError(req.url.host, error);
  }
}

function toResult(
  host: string,
  statusCode: number,
  retryAfter: string | string[] | undefined,
  text: string,
  now: () => number,
): TransportResult {
  if (statusCode >= 200 && statusCode < 300) return { status: 'success', statusCode, body: parseJson(text) };
  const redirect = statusCode >= 300 && statusCode < 400;
  const message = `Humanloop at ${host} answered HTTP ${statusCode}${redirect ? ' (redirects are not followed)' : ''}`;
  const error = new HumanloopExportError(reasonOfStatus(statusCode), message, { host, statusCode });
  if (isRetryableStatus(statusCode)) {
    const header = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
    const retryAfterMillis = parseRetryAfter(header, now());
    return retryAfterMillis === undefined ? { status: 'retryable', error } : { status: 'retryable', retryAfterMillis, error };
  }
  return { status: 'failure', body: redirect ? undefined : parseJson(text), error };
}

function reasonOfStatus(statusCode: number): ExportErrorReason {
  if (statusCode === 401 || statusCode === 403) return 'unauthorized';
  if (statusCode === 413) return 'too_large';
  if (statusCode === 422) return 'invalid';
  return isRetryableStatus(statusCode) ? 'unreachable' : 'rejected';
}

/** The request went out but no answer came in time (a connect timeout is `unreachable`). */
const ANSWER_TIMEOUT_CODES = new Set(['timeout', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function fromError(host: string, error: unknown): TransportResult {
  const code = errorCode(error);
  const message = `Request to Humanloop at ${host} failed: ${code ?? describeError(error)}`;
  if (!isRetryableError(error)) return { status: 'failure', body: undefined, error: new HumanloopExportError('rejected', message, { host }) };
  const reason = code !== undefined && ANSWER_TIMEOUT_CODES.has(code) ? 'timeout' : 'unreachable';
  return { status: 'retryable', error: new HumanloopExportError(reason, message, { host }) };
}

async function readCapped(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_RESPONSE_BYTES) {
      body.destroy();
      return '';
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (typeof code === 'string') return code;
  return name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : undefined;
}

