import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { LogRequest } from '../log-request.js';
import { describeFault, FaultSchedule, type Fault, type FaultPlan } from './faults.js';
import { LogStore, type StoredLog } from './log-store.js';
import { validateLogBody, validateUpdate, type ValidationError } from './validate.js';

export interface LocalLogServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** When set, `X-API-KEY` must equal it; otherwise any non-empty key is accepted. */
  apiKey?: string;
  /** Largest request body accepted; larger ones get 413. Default 16 MiB. */
  maxBodyBytes?: number;
}

export interface RecordedRequest {
  index: number;
  method: string;
  path: string;
  status: number | undefined;
  /** Logs in a POST body (1 for an object), else 0. */
  itemCount: number;
  fault?: string;
  headers: Record<string, string>;
  /** `performance.now()` when the request arrived and when it was answered (undefined if never). */
  receivedAt: number;
  answeredAt: number | undefined;
}

export interface LocalLogServer {
  /** Base URL, e.g. `http://127.0.0.1:PORT/v4`: pass it as the exporter's `baseUrl`. */
  url: string;
  port: number;
  logs(): StoredLog[];
  /** How many logs are stored (cheaper than `logs().length`). */
  logCount(): number;
  requests(): RecordedRequest[];
  inject(fault: Fault, times?: number): void;
  setFaultPlan(plan: FaultPlan | undefined): void;
  /** An outage: open connections are cut and new ones are destroyed at once until `up()`. */
  down(): void;
  up(): void;
  clear(): void;
  close(): Promise<void>;
}

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  record: RecordedRequest;
  body: string;
  slowBodyMillis?: number;
}

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** A Humanloop-compatible log API on loopback, for tests, examples and seeing what an app sends. */
export async function startLocalLogServer(options: LocalLogServerOptions = {}): Promise<LocalLogServer> {
  const state = new ServerState(options);
  const server = createServer((req, res) => void state.handle(req, res));
  server.on('connection', (socket) => state.track(socket));
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/v4`,
    port,
    logs: () => state.store.all(),
    logCount: () => state.store.count,
    requests: () => state.requests.map((record) => ({ ...record, headers: { ...record.headers } })),
    inject: (fault, times) => state.faults.inject(fault, times),
    setFaultPlan: (plan) => state.faults.setPlan(plan),
    down: () => state.setDown(true),
    up: () => state.setDown(false),
    clear: () => state.clear(),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        state.destroySockets();
      });
      return closing;
    },
  };
}

class ServerState {
  readonly store = new LogStore();
  readonly faults = new FaultSchedule();
  readonly requests: RecordedRequest[] = [];
  private readonly _sockets = new Set<Socket>();
  private _down = false;

  constructor(private readonly _options: LocalLogServerOptions) {}

  track(socket: Socket): void {
    if (this._down) return void socket.destroy();
    this._sockets.add(socket);
    socket.once('close', () => this._sockets.delete(socket));
  }

  setDown(down: boolean): void {
    this._down = down;
    if (down) this.destroySockets();
  }

  destroySockets(): void {
    for (const socket of this._sockets) socket.destroy();
  }

  clear(): void {
    this.store.clear();
    this.faults.clear();
    this.requests.length = 0;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const record: RecordedRequest = {
      index: this.requests.length,
      method: req.method ?? '',
      path: req.url ?? '',
      status: undefined,
      itemCount: 0,
      headers: redactedHeaders(req),
      receivedAt: performance.now(),
      answeredAt: undefined,
    };
    this.requests.push(record);
    try {
      const body = await readBody(req, this._options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
      if (body === undefined) return respond({ req, res, record, body: '' }, 413, { detail: 'request body too large' });
      const exchange = { req, res, record, body };
      if (record.method === 'POST') record.itemCount = countItems(body);
      const fault = this.faults.next({ index: record.index, method: record.method, path: record.path });
      if (fault) {
        record.fault = describeFault(fault);
        if (await playFault(exchange, fault)) return;
      }
      this._route(exchange);
    } catch {
      if (!res.headersSent && !res.destroyed) respond({ req, res, record, body: '' }, 400, { detail: 'bad request' });
    }
  }

  private _route(exchange: Exchange): void {
    if (!this._authorized(exchange.req)) return respond(exchange, 401, { detail: 'invalid or missing X-API-KEY' });
    const url = new URL(exchange.req.url ?? '/', 'http://local');
    const match = /\/logs(?:\/([^/]+))?$/.exec(url.pathname);
    if (!match) return respond(exchange, 404, { detail: 'not found' });
    const id = match[1] === undefined ? undefined : decodeURIComponent(match[1]);
    const method = exchange.req.method;
    if (method === 'POST' && id === undefined) return this._create(exchange);
    if (method === 'PATCH') return this._update(exchange, id, url.searchParams.get('reference_id') ?? undefined);
    if (method === 'GET') return this._read(exchange, id);
    respond(exchange, 405, { detail: 'method not allowed' });
  }

  private _authorized(req: IncomingMessage): boolean {
    const key = req.headers['x-api-key'];
    if (typeof key !== 'string' || key === '') return false;
    return this._options.apiKey === undefined || key === this._options.apiKey;
  }

  private _create(exchange: Exchange): void {
    const body = parseJsonBody(exchange);
    if (body === undefined) return;
    const items: unknown[] = Array.isArray(body) ? body : [body];
    const errors = validateLogBody(body, this.store);
    if (errors.length > 0) return respond(exchange, 422, { detail: errors });
    const created = items.map((item) => this.store.add(item as LogRequest, exchange.record.index));
    respond(exchange, 200, Array.isArray(body) ? created : created[0]);
  }

  private _update(exchange: Exchange, id: string | undefined, referenceId: string | undefined): void {
    const body = parseJsonBody(exchange);
    if (body === undefined) return;
    if (id === undefined && referenceId === undefined) {
      return respond(exchange, 422, {
        detail: [{ loc: ['query', 'reference_id'], msg: 'field required', type: 'value_error.missing' }],
      });
    }
    const errors = validateUpdate(body);
    if (errors.length > 0) return respond(exchange, 422, { detail: errors });
    const updated = this.store.update(id, referenceId, body as Record<string, unknown>);
    if (!updated) return respond(exchange, 404, { detail: 'no log with that id or reference_id' });
    respond(exchange, 200, updated);
  }

  private _read(exchange: Exchange, id: string | undefined): void {
    if (id === undefined) return respond(exchange, 200, this.store.all());
    const log = this.store.get(id);
    if (!log) return respond(exchange, 404, { detail: 'no log with that id' });
    respond(exchange, 200, log);
  }
}

/** Plays a fault; true when the request is finished with (answered, dropped or hung). */
async function playFault(exchange: Exchange, fault: Fault): Promise<boolean> {
  if ('drop' in fault) {
    if (fault.drop === 'reset') exchange.req.socket.destroy();
    return true;
  }
  if ('slowBodyMillis' in fault) {
    exchange.slowBodyMillis = fault.slowBodyMillis;
    return false;
  }
  if (fault.delayMillis) await delay(fault.delayMillis);
  if (!('status' in fault)) return false;
  if (fault.retryAfter !== undefined) exchange.res.setHeader('retry-after', fault.retryAfter);
  respond(exchange, fault.status, fault.body ?? { detail: 'injected fault' });
  return true;
}

function parseJsonBody(exchange: Exchange): unknown {
  const type = exchange.req.headers['content-type'] ?? '';
  const invalid = (msg: string) =>
    respond(exchange, 422, { detail: [{ loc: ['body'], msg, type: 'value_error.jsondecode' }] satisfies ValidationError[] });
  if (!type.toLowerCase().startsWith('application/json')) return invalid('Content-Type must be application/json');
  try {
    const parsed = JSON.parse(exchange.body) as unknown;
    return parsed ?? invalid('body must be a log or a list of logs');
  } catch {
    return invalid('body is not valid JSON');
  }
}

function countItems(body: string): number {
  try {
    const parsed = JSON.parse(body) as unknown;
    return Array.isArray(parsed) ? parsed.length : 1;
  } catch {
    return 0;
  }
}

function respond(exchange: Exchange, status: number, body: unknown): void {
  exchange.record.status = status;
  exchange.record.answeredAt = performance.now();
  if (exchange.res.destroyed) return;
  const text = JSON.stringify(body);
  exchange.res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  if (!exchange.slowBodyMillis) return void exchange.res.end(text);
  exchange.res.write(text.slice(0, 1));
  setTimeout(() => exchange.res.end(text.slice(1)), exchange.slowBodyMillis);
}

/** The body as text, or undefined when it is larger than `maxBytes`. */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function redactedHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = name === 'x-api-key' ? '[present]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function delay(millis: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, millis));
}
