import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeError, logger } from '../common/diag.js';
import type { HostCheck } from '../common/host-check.js';
import type { Admission, Refusal } from './admission.js';
import { hasBearerToken } from './auth.js';
import { prometheusText, type GatewayStats } from './gateway-stats.js';
import { encodeResponse, encodeStatus, type OtlpFormat } from './otlp-codec.js';
import { readRequestBody } from './request-body.js';
import type { SpanIntake } from './span-intake.js';

export interface HttpSettings {
  /** Whether a request's `Host` names the gateway; others are refused before anything else. */
  hostAllowed: HostCheck;
  token: string | undefined;
  maxBodyBytes: number;
  retryAfterSeconds: number;
}

/** gRPC status codes carried in OTLP/HTTP error bodies. */
export const GRPC_CODE = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, RESOURCE_EXHAUSTED: 8, UNAVAILABLE: 14, UNAUTHENTICATED: 16 } as const;

/**
 * The HTTP routes: `POST /v1/traces` (OTLP/HTTP), `GET /health`, `GET /metrics`; what each
 * request is answered with.
 */
export class HttpReceiver {
  constructor(
    private readonly _intake: SpanIntake,
    private readonly _admission: Admission,
    private readonly _settings: HttpSettings,
    private readonly _stats: () => GatewayStats,
  ) {}

  handle(req: IncomingMessage, res: ServerResponse): void {
    if (!this._settings.hostAllowed(req.headers.host)) return refuseHost(req, res);
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/v1/traces') {
      this._traces(req, res).catch((error: unknown) => {
        logger.error(`gateway: internal error handling a request: ${describeError(error)}`);
        if (!res.headersSent) sendStatus(res, 'json', 500, GRPC_CODE.UNAVAILABLE, 'internal error');
      });
      return;
    }
    req.resume();
    if (path === '/health' && req.method === 'GET') return sendJson(res, 200, { status: 'ok', pendingSpans: this._admission.pendingSpans });
    if (path === '/metrics' && req.method === 'GET') return this._metrics(req, res);
    sendJson(res, 404, { code: GRPC_CODE.NOT_FOUND, message: 'not found: POST /v1/traces, GET /health, GET /metrics' });
  }

  private _metrics(req: IncomingMessage, res: ServerResponse): void {
    if (!this._authorized(req)) return sendJson(res, 401, { code: GRPC_CODE.UNAUTHENTICATED, message: 'a bearer token is required' });
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
    if (busy) {
      this._intake.throttled();
      return this._throttle(req, res, format, busy);
    }
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
    const outcome = this._intake.take(body.bytes, format);
    if (outcome.kind === 'malformed') return sendStatus(res, format, 400, GRPC_CODE.INVALID_ARGUMENT, outcome.problem);
    if (outcome.kind === 'throttled') return this._throttle(undefined, res, format, outcome.refusal);
    send(res, format, 200, encodeResponse(format, outcome.partial));
  }

  private _throttle(req: IncomingMessage | undefined, res: ServerResponse, format: OtlpFormat, refusal: Refusal): void {
    req?.resume();
    res.setHeader('retry-after', String(this._settings.retryAfterSeconds));
    const code = refusal.status === 429 ? GRPC_CODE.RESOURCE_EXHAUSTED : GRPC_CODE.UNAVAILABLE;
    sendStatus(res, format, refusal.status, code, refusal.problem);
  }

  private _refuse(req: IncomingMessage, res: ServerResponse, format: OtlpFormat, status: number, problem: string): void {
    req.resume();
    this._intake.refused();
    sendStatus(res, format, status, status === 401 ? GRPC_CODE.UNAUTHENTICATED : GRPC_CODE.INVALID_ARGUMENT, problem);
  }
}

/** A `Host` the gateway does not answer to (a page that rebound its own name to this machine, say): 403, and the connection closed. */
function refuseHost(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  const body = 'Host is not a name this gateway answers to; allow it with --allowed-host (allowedHosts)\n';
  res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' }).end(body);
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
