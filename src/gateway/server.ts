import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLoopbackHost, resolveConfig, type HumanloopSpanExporterOptions } from '../config.js';
import { describeError, logger } from '../diag.js';
import { HumanloopSpanExporter } from '../exporter.js';
import { ExportResultCode, type ReadableSpan } from '../otel.js';
import { Admission, type Refusal } from './admission.js';
import { hasBearerToken } from './auth.js';
import { GatewayCounters, prometheusText, type GatewayStats } from './gateway-stats.js';
import { decodeRequest, encodeResponse, encodeStatus, type OtlpFormat } from './otlp-codec.js';
import { convertRequest } from './otlp-spans.js';
import { readRequestBody } from './request-body.js';
import { SpanBatcher } from './span-batcher.js';

export interface OtlpGatewayOptions {
  /** Default 4318, the OTLP/HTTP port. 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. A host other than loopback requires `token`. */
  host?: string;
  /** Senders must send `Authorization: Bearer <token>`. Default: none (loopback only). */
  token?: string;
  /** The Humanloop exporter the spans are delivered through, with all its options. */
  exporter?: HumanloopSpanExporterOptions;
  /** Most bytes of a request body, compressed and decompressed. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Most spans handed to the exporter and not yet settled; past it, 429. Default 10 000. */
  maxPendingSpans?: number;
  /** Most requests read and decoded at once; past it, 429. Default 32. */
  maxConcurrentRequests?: number;
  /** The `Retry-After` of a 429 or 503, in whole seconds. Default 1. */
  retryAfterSeconds?: number;
  /**
   * Spans of requests arriving within this long are delivered as one export, so that a parent
   * that arrives a moment before its children (senders send batches concurrently) is still
   * delivered with them. 0: each request is its own export. Default 200.
   */
  batchDelayMillis?: number;
}

export interface OtlpGateway {
  /** `http://host:port`; senders post to `${url}/v1/traces`. */
  readonly url: string;
  readonly port: number;
  readonly exporter: HumanloopSpanExporter;
  stats(): GatewayStats;
  /** Stops taking requests, then flushes and shuts the exporter down (spooling with `spoolDir`). */
  close(): Promise<void>;
}

interface Settings {
  token: string | undefined;
  maxBodyBytes: number;
  retryAfterSeconds: number;
}

const DEFAULTS = {
  port: 4318,
  host: '127.0.0.1',
  maxBodyBytes: 16 * 1024 * 1024,
  maxPendingSpans: 10_000,
  maxConcurrentRequests: 32,
  retryAfterSeconds: 1,
  batchDelayMillis: 200,
};
/** Most spans in one export of the gateway's. */
const MAX_BATCH_SPANS = 2_048;
/** The exporter's own default, which the 503 threshold needs to know. */
const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
/** gRPC status codes carried in OTLP/HTTP error bodies. */
const GRPC = { INVALID_ARGUMENT: 3, RESOURCE_EXHAUSTED: 8, UNAVAILABLE: 14, UNAUTHENTICATED: 16 } as const;

/**
 * An OTLP/HTTP trace receiver (`POST /v1/traces`, protobuf or JSON, gzip) that hands every
 * span it receives to a HumanloopSpanExporter, with `/health` and `/metrics` for operators.
 * Throws at once when the exporter could not send anything (no API key, an unusable base URL)
 * or when a host other than loopback is asked for without a token.
 */
export async function startOtlpGateway(options: OtlpGatewayOptions = {}): Promise<OtlpGateway> {
  const host = options.host ?? DEFAULTS.host;
  const token = options.token === '' ? undefined : options.token;
  if (!isLoopbackHost(host) && token === undefined) throw new Error(`listening on ${host} requires a token, so that only your senders can post spans`);
  const exporterOptions = options.exporter ?? {};
  const unusable = resolveConfig(exporterOptions).unusable;
  if (unusable !== undefined) throw new Error(unusable);
  const exporter = new HumanloopSpanExporter(exporterOptions);
  const admission = new Admission(
    {
      maxPendingSpans: positive(options.maxPendingSpans, DEFAULTS.maxPendingSpans, 'maxPendingSpans'),
      maxConcurrentRequests: positive(options.maxConcurrentRequests, DEFAULTS.maxConcurrentRequests, 'maxConcurrentRequests'),
      maxBufferedBytes: exporterOptions.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
    },
    () => exporter.stats(),
  );
  const settings: Settings = {
    token,
    maxBodyBytes: positive(options.maxBodyBytes, DEFAULTS.maxBodyBytes, 'maxBodyBytes'),
    retryAfterSeconds: positive(options.retryAfterSeconds, DEFAULTS.retryAfterSeconds, 'retryAfterSeconds'),
  };
  const counters = new GatewayCounters();
  const stats = () => counters.snapshot(admission.pendingSpans, exporter.stats());
  const batchDelayMillis = options.batchDelayMillis ?? DEFAULTS.batchDelayMillis;
  if (!Number.isSafeInteger(batchDelayMillis) || batchDelayMillis < 0) throw new Error('batchDelayMillis must be a whole number >= 0');
  const batcher = new SpanBatcher(batchDelayMillis, MAX_BATCH_SPANS, (spans) => exportSpans(exporter, spans, admission, counters));
  const receiver = new Receiver(batcher, admission, counters, settings, stats);
  const server = createServer((req, res) => receiver.handle(req, res));
  server.requestTimeout = 60_000;
  try {
    await listen(server, options.port ?? DEFAULTS.port, host);
  } catch (error) {
    await exporter.shutdown();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    exporter,
    stats,
    close: () => (closing ??= stop(server, batcher, exporter)),
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number`);
  return value;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function stop(server: Server, batcher: SpanBatcher, exporter: HumanloopSpanExporter): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
  batcher.flush();
  await exporter.shutdown();
}

/** One export; its spans stay pending until the exporter calls back. */
function exportSpans(exporter: HumanloopSpanExporter, spans: ReadableSpan[], admission: Admission, counters: GatewayCounters): void {
  exporter.export(spans, (result) => {
    admission.settle(spans.length);
    if (result.code !== ExportResultCode.SUCCESS) counters.spans.failedExports++;
  });
}

/** The routes: what each request is answered with. */
class Receiver {
  constructor(
    private readonly _batcher: SpanBatcher,
    private readonly _admission: Admission,
    private readonly _counters: GatewayCounters,
    private readonly _settings: Settings,
    private readonly _stats: () => GatewayStats,
  ) {}

  handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/v1/traces') {
      this._traces(req, res).catch((error: unknown) => {
        logger.error(`gateway: internal error handling a request: ${describeError(error)}`);
        if (!res.headersSent) sendStatus(res, 'json', 500, GRPC.UNAVAILABLE, 'internal error');
      });
      return;
    }
    req.resume();
    if (path === '/health' && req.method === 'GET') return sendJson(res, 200, { status: 'ok', pendingSpans: this._admission.pendingSpans });
    if (path === '/metrics' && req.method === 'GET') return this._metrics(req, res);
    sendJson(res, 404, { code: 5, message: 'not found: POST /v1/traces, GET /health, GET /metrics' });
  }

  private _metrics(req: IncomingMessage, res: ServerResponse): void {
    if (!this._authorized(req)) return sendJson(res, 401, { code: GRPC.UNAUTHENTICATED, message: 'a bearer token is required' });
    const stats = this._stats();
    const wantsText = (req.url ?? '').includes('format=prometheus') || (req.headers.accept ?? '').startsWith('text/plain');
    if (!wantsText) return sendJson(res, 200, stats);
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(prometheusText(stats));
  }

  private _authorized(req: IncomingMessage): boolean {
    return this._settings.token === undefined || hasBearerToken(req.headers.authorization, this._settings.token);
  }

  private async _traces(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const format = formatOf(req.headers['content-type']);
    if (req.method !== 'POST') return this._refuse(req, res, format ?? 'json', 405, 'only POST is accepted');
    if (format === undefined) return this._refuse(req, res, 'json', 415, 'Content-Type must be application/x-protobuf or application/json');
    if (!this._authorized(req)) return this._refuse(req, res, format, 401, 'a valid bearer token is required');
    const busy = this._admission.startReading();
    if (busy) return this._throttle(req, res, format, busy);
    let body;
    try {
      body = await readRequestBody(req, this._settings.maxBodyBytes);
    } finally {
      this._admission.doneReading();
    }
    if (!body.ok) {
      if (body.status === 'aborted') return;
      return this._refuse(req, res, format, body.status, body.problem);
    }
    this._deliver(res, format, body.bytes);
  }

  private _deliver(res: ServerResponse, format: OtlpFormat, bytes: Buffer): void {
    const decoded = decodeRequest(bytes, format);
    if (!decoded.ok) {
      this._counters.requests.refused++;
      return sendStatus(res, format, 400, GRPC.INVALID_ARGUMENT, decoded.problem);
    }
    const { spans, rejected, firstProblem } = convertRequest(decoded.request);
    if (spans.length > 0) {
      const refusal = this._admission.admit(spans.length);
      if (refusal) return this._throttle(undefined, res, format, refusal);
      this._batcher.add(spans);
    }
    this._counters.requests.accepted++;
    this._counters.spans.received += spans.length + rejected;
    this._counters.spans.rejected += rejected;
    const partial = rejected > 0 ? { rejectedSpans: rejected, errorMessage: firstProblem ?? 'spans were refused' } : undefined;
    send(res, format, 200, encodeResponse(format, partial));
  }

  private _throttle(req: IncomingMessage | undefined, res: ServerResponse, format: OtlpFormat, refusal: Refusal): void {
    req?.resume();
    this._counters.requests.throttled++;
    res.setHeader('retry-after', String(this._settings.retryAfterSeconds));
    const code = refusal.status === 429 ? GRPC.RESOURCE_EXHAUSTED : GRPC.UNAVAILABLE;
    sendStatus(res, format, refusal.status, code, refusal.problem);
  }

  private _refuse(req: IncomingMessage, res: ServerResponse, format: OtlpFormat, status: number, problem: string): void {
    req.resume();
    this._counters.requests.refused++;
    sendStatus(res, format, status, status === 401 ? GRPC.UNAUTHENTICATED : GRPC.INVALID_ARGUMENT, problem);
  }
}

function formatOf(header: string | undefined): OtlpFormat | undefined {
  const type = (header ?? '').split(';', 1)[0]?.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

function sendStatus(res: ServerResponse, format: OtlpFormat, status: number, code: number, message: string): void {
  send(res, format, status, encodeStatus(format, code, message));
}

function send(res: ServerResponse, format: OtlpFormat, status: number, body: Uint8Array | string): void {
  const type = format === 'json' ? 'application/json' : 'application/x-protobuf';
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) }).end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}
