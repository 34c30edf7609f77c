import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { isLoopbackHost } from '../shared/loopback.js';
import { allowedHostsOption, hostCheck, type HostCheck } from '../shared/host-check.js';
import { listen } from '../shared/listen.js';
import { ownValue } from '../shared/own-keys.js';
import { readBody } from '../shared/read-body.js';
import { requestTimeouts } from '../shared/request-timeouts.js';
import type { GrpcReceiver } from '../gateway/grpc-receiver.js';
import { createOtlpIngest, type OtlpIngest } from '../gateway/otlp-ingest.js';
import { isLoopbackPeer } from './access.js';
import { EventStreams, pageBody, type LogChange, type LogsPage } from './event-stream.js';
import { describeFault, FaultSchedule, type Fault, type FaultPlan } from './faults.js';
import { parseJson, type JsonParse } from './http-body.js';
import { RequestRecords, type RecordedRequest } from './request-records.js';
import { openMemoryStore } from '../store/memory-store.js';
import type { MemoryTables } from '../store/memory-tables.js';
import { openStore } from '../store/open-store.js';
import { MAX_PAGE_SIZE, StoreFullError, StoreUnavailableError, type LogStorage } from '../store/types.js';
import { DEFAULT_DATA_MAX_BYTES, loadLogFile, LogFileWriter } from './log-file.js';
import type { AnyStoredLog } from './log-summary.js';
import { pathOf, type Reply } from './replies.js';
import { answerApiRequest, authorized, type ApiContext, type ApiRequest } from './routes.js';
import { asStoredLog, asStoreRecord, type StoredLog, type StoredV5Log } from './stored-logs.js';
import { cursorError } from './list-query.js';
import { DEFAULT_VIEWER_PAGE_SIZE, EVENTS_PATH, isViewerPath, OLDER_PATH, VIEWER_HEADERS, viewerAsset } from './viewer-routes.js';

/** Which of Humanloop's log APIs a server's `url` is the base URL of; both are always served. */
export type LocalApiVersion = 'v4' | 'v5';

export interface LocalLogServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** When set, `X-API-KEY` must equal it; otherwise any non-empty key is accepted. */
  apiKey?: string;
  /** Largest request body accepted; larger ones get 413. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Called with a copy of each v4 log as it is stored; what it throws is ignored. */
  onLog?: (log: StoredLog) => void;
  /** Called with a copy of each v5 log as it is stored; what it throws is ignored. */
  onV5Log?: (log: StoredV5Log) => void;
  /** The API whose base URL `url` is: `v4` (default) or `v5`. The server answers both either way. */
  api?: LocalApiVersion;
  /**
   * Called with each log of either API as it is stored (`change: 'stored'`) and each time an
   * update changes it (`change: 'updated'`), with a copy; what it throws is ignored.
   */
  onChange?: (change: LogChange) => void;
  /**
   * Where logs are kept: undefined keeps them in memory (bounded by `maxLogs`); a file path keeps
   * them in SQLite, `postgres://…` in PostgreSQL (several servers on one database act as one).
   * With `db`, the synchronous accessors (`logs()`, `v5Logs()`, `logCount()`, `stats()`,
   * `clear()`) throw: read through `store` or the HTTP API instead.
   */
  db?: string;
  /**
   * A PostgreSQL `db` that cannot be reached at start: `fail` (the default) rejects; `retry` starts
   * all the same and answers 503 until the database answers (a server may start before its database).
   */
  whenUnreachable?: 'fail' | 'retry';
  /**
   * A store you opened (`openStore`, `openMemoryStore`) to keep logs in instead of `db`; the server
   * leaves it open when it closes. The synchronous accessors throw with it.
   */
  store?: LogStorage;
  /** Logs stored more than this many days ago are removed, in the background after writes. */
  retainDays?: number;
  /** Past this many bytes of logs, the oldest are removed, in the background after writes. */
  retainBytes?: number;
  /**
   * A JSON Lines file the logs are kept in: loaded at start, each stored or updated log appended.
   * Memory only: not with `db`.
   * A line that is not a log is skipped (one warning with the count). `clear()` leaves the file as it is.
   */
  dataFile?: string;
  /** Appending to `dataFile` stops (one warning) once it would grow past this. Default 100 MiB. */
  dataMaxBytes?: number;
  /** Where warnings about `dataFile` go. Default: `console.warn`. */
  onWarning?: (message: string) => void;
  /**
   * Allow a `host` other than loopback (for a container). Needs `apiKey`. The `Host` check stays:
   * add the names clients use with `allowedHosts`.
   */
  allowRemote?: boolean;
  /**
   * Host names (or addresses) requests may name in `Host`, besides the loopback names, `host`, and
   * any IP address when `host` is 0.0.0.0 or ::. A leading dot allows every name under a domain
   * (`.svc.cluster.local`). A request naming another host gets 403: a page on another site could
   * otherwise reach this server through a DNS name it points at 127.0.0.1.
   */
  allowedHosts?: string[];
  /**
   * How long a client may take to send one request (headers within 10 s, or this when shorter);
   * past it, 408 and the connection closed. Default 30 000.
   */
  requestTimeoutMillis?: number;
  /** Logs the trace viewer gets at once: the newest page when it opens, then each older page it asks for. Default 500. */
  viewerPageSize?: number;
  /** Most request records `requests()` keeps: the last ones, the oldest pushed out first. Default 10 000. */
  maxRecordedRequests?: number;
  /**
   * Most logs kept in memory of each API (v4 and v5 apart). Past it the oldest is pushed out to make
   * room: one warning the first time, and `stats().logsPushedOut` counts them. Default 100 000.
   * Not with `db` (use `retainDays` and `retainBytes`).
   */
  maxLogs?: number;
  /**
   * Take OTLP traces too: `POST /v1/traces` (protobuf or JSON, gzip) on this server's port, and
   * OTLP/gRPC on `otlpGrpcPort` when given (0: a free one). Their LLM spans are mapped as the
   * exporter maps them and stored as logs of `api`; with `apiKey`, senders must send
   * `Authorization: Bearer <apiKey>`. Default false.
   */
  otlp?: boolean;
  otlpGrpcPort?: number;
}

export type { RecordedRequest } from './request-records.js';

/** What the server holds, and what it pushed out to stay within its bounds (since the start or `clear()`). */
export interface LocalServerStats {
  /** Logs stored, v4 and v5 together. */
  storedLogs: number;
  /** Logs pushed out, oldest first, to stay within `maxLogs`. */
  logsPushedOut: number;
  /** Request records `requests()` returns. */
  recordedRequests: number;
  /** Request records pushed out to stay within `maxRecordedRequests`. */
  requestRecordsPushedOut: number;
}

export interface LocalLogServer {
  /**
   * Base URL, e.g. `http://127.0.0.1:PORT/v4`: pass it as the exporter's `baseUrl`; v4 logs go
   * to `${url}/logs`. With `api: 'v5'` it ends in `/v5`, and logs go to `${url}/prompts/log` etc.
   */
  url: string;
  port: number;
  /** The store the server keeps its logs in (memory, SQLite or PostgreSQL). */
  store: LogStorage;
  /** Copies of the stored v4 logs, in arrival order, with PATCH updates applied. */
  logs(): StoredLog[];
  /** Copies of the stored v5 logs, in arrival order, with PATCH updates applied. */
  v5Logs(): StoredV5Log[];
  /** How many logs are stored, v4 and v5 together (cheaper than counting copies). Memory only. */
  logCount(): number;
  /** The last `maxRecordedRequests` requests since start or `clear()`, in arrival order. */
  requests(): RecordedRequest[];
  /** What the server holds and what it pushed out to stay within its bounds. Memory only. */
  stats(): LocalServerStats;
  /** With `otlp`: where OTLP/HTTP goes (`http://host:port/v1/traces`), and the gRPC port when one was asked for. */
  otlp?: { tracesUrl: string; grpcPort: number | undefined };
  /**
   * Forgets stored logs (v4 and v5, with the v5 files) and recorded requests (and, on a test
   * server, queued faults and the fault plan). Memory only: a database's logs are left to it.
   */
  clear(): void;
  /** Stops listening and destroys every connection, hung ones included. Idempotent. */
  close(): Promise<void>;
}

/** The local log server with fault injection, for tests (`humanloop-log-server/testing`). */
export interface TestLogServer extends LocalLogServer {
  /** Plays `fault` on the next `times` requests (default 1; `Infinity` for all), after those queued before. */
  inject(fault: Fault, times?: number): void;
  /** Consulted for each request when no injected fault is queued; undefined removes it. */
  setFaultPlan(plan: FaultPlan | undefined): void;
  /** An outage: open connections are cut, and new ones destroyed at once until `up()`. The port stays bound. */
  down(): void;
  up(): void;
}

interface Settings {
  host: string;
  port: number;
  apiKey: string | undefined;
  maxBodyBytes: number;
  onLog: ((log: StoredLog) => void) | undefined;
  onV5Log: ((log: StoredV5Log) => void) | undefined;
  api: LocalApiVersion;
  onChange: ((change: LogChange) => void) | undefined;
  db: string | undefined;
  whenUnreachable: 'fail' | 'retry' | undefined;
  store: LogStorage | undefined;
  retainDays: number | undefined;
  retainBytes: number | undefined;
  dataFile: string | undefined;
  dataMaxBytes: number;
  onWarning: (message: string) => void;
  hostAllowed: HostCheck;
  requestTimeoutMillis: number;
  maxRecordedRequests: number;
  maxLogs: number;
  viewerPageSize: number;
  otlp: boolean;
  otlpGrpcPort: number | undefined;
}

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  record: RecordedRequest;
  slowBodyMillis?: number;
}

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
const DEFAULT_REQUEST_TIMEOUT_MILLIS = 30_000;
const DEFAULT_MAX_RECORDED_REQUESTS = 10_000;
export const DEFAULT_MAX_LOGS = 100_000;
const DEFAULT_FAULT_BODY = { detail: 'injected fault' };
/** How long a client is asked to wait when the store cannot be reached. */
const STORE_RETRY_AFTER_SECONDS = 5;
const OTLP_TRACES_PATH = '/v1/traces';
const SECRET_HEADERS = new Set(['x-api-key', 'authorization', 'proxy-authorization', 'cookie']);
// After a 413 the rest of the body is read and dropped; a client still sending after this is cut off.
const DRAIN_GRACE_MILLIS = 2_000;

/** A Humanloop-compatible log API, for examples and for seeing what an app sends. */
export async function startLocalLogServer(options: LocalLogServerOptions = {}): Promise<LocalLogServer> {
  const server = await startTestLogServer(options);
  return {
    url: server.url,
    port: server.port,
    store: server.store,
    logs: () => server.logs(),
    v5Logs: () => server.v5Logs(),
    logCount: () => server.logCount(),
    requests: () => server.requests(),
    stats: () => server.stats(),
    ...(server.otlp && { otlp: server.otlp }),
    clear: () => server.clear(),
    close: () => server.close(),
  };
}

/** The local log server, able to play faults (status codes, delays, dropped connections, outages). */
export async function startTestLogServer(options: LocalLogServerOptions = {}): Promise<TestLogServer> {
  const settings = resolveSettings(options);
  const state = new ServerState(settings, await openLogStore(settings));
  const server = createServer(requestTimeouts(settings.requestTimeoutMillis), (req, res) => void state.handle(req, res));
  server.on('connection', (socket: Socket) => state.track(socket));
  server.on('clientError', answerClientError);
  try {
    await state.openDataFile();
    await listen(server, settings.port, settings.host);
  } catch (error) {
    await state.closeStorage();
    throw error;
  }
  // Once listening, a failed accept must not take the test process down with it.
  server.on('error', () => undefined);
  const handle = handleFor(server, state, settings.api);
  if (!settings.otlp) return handle;
  try {
    return { ...handle, otlp: await state.startOtlp(handle.url) };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** The store `db` names, or memory (with its tables, for the synchronous accessors). */
async function openLogStore(settings: Settings): Promise<OpenedStorage> {
  const { db, whenUnreachable, retainDays, retainBytes, maxLogs, onWarning } = settings;
  if (settings.store) return { store: settings.store, memory: undefined, owned: false };
  if (db !== undefined) return { store: await openStore({ db, whenUnreachable, retainDays, retainBytes }), memory: undefined, owned: true };
  const onPushedOut = once(() =>
    onWarning(`stored logs reached maxLogs (${maxLogs}): the oldest are pushed out to make room (stats().logsPushedOut counts them)`),
  );
  const { store, tables } = openMemoryStore({ maxLogs, onPushedOut, retainDays, retainBytes });
  return { store, memory: tables, owned: true };
}

interface OpenedStorage {
  store: LogStorage;
  /** The memory engine's tables, for the synchronous accessors. */
  memory: MemoryTables | undefined;
  /** Opened by the server, which closes it. */
  owned: boolean;
}

function resolveSettings(options: LocalLogServerOptions): Settings {
  const maxBodyBytes = wholeOption('maxBodyBytes', options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES, 0);
  if (options.apiKey !== undefined && (typeof options.apiKey !== 'string' || options.apiKey === '')) {
    throw new TypeError('apiKey must be a non-empty string');
  }
  const api = options.api ?? 'v4';
  if (api !== 'v4' && api !== 'v5') throw new TypeError("api must be 'v4' or 'v5'");
  const host = options.host ?? '127.0.0.1';
  const allowRemote = options.allowRemote === true;
  if (allowRemote && options.apiKey === undefined) throw new TypeError('allowRemote needs an apiKey');
  if (!allowRemote && !isLoopbackHost(host)) {
    throw new RangeError(`host ${host} is not a loopback address: pass allowRemote and an apiKey to listen on it`);
  }
  const dataMaxBytes = wholeOption('dataMaxBytes', options.dataMaxBytes, DEFAULT_DATA_MAX_BYTES, 0);
  const db = options.db === '' ? undefined : options.db;
  if (db !== undefined && options.dataFile !== undefined) throw new TypeError('dataFile keeps logs in memory across restarts: with db they are kept already, give one of them');
  if (db !== undefined && options.maxLogs !== undefined) throw new TypeError('maxLogs bounds the memory store: with db, bound it with retainDays or retainBytes');
  if (options.store !== undefined && (db !== undefined || options.dataFile !== undefined)) throw new TypeError('store is where logs are kept: give no db or dataFile with it');
  return {
    host,
    port: options.port ?? 0,
    apiKey: options.apiKey,
    maxBodyBytes,
    onLog: options.onLog,
    onV5Log: options.onV5Log,
    api,
    onChange: options.onChange,
    db,
    whenUnreachable: options.whenUnreachable,
    store: options.store,
    retainDays: positiveOption('retainDays', options.retainDays),
    retainBytes: positiveOption('retainBytes', options.retainBytes),
    dataFile: options.dataFile,
    dataMaxBytes,
    onWarning: options.onWarning ?? ((message) => console.warn(message)),
    hostAllowed: hostCheck(host, allowedHostsOption(options.allowedHosts)),
    requestTimeoutMillis: wholeOption('requestTimeoutMillis', options.requestTimeoutMillis, DEFAULT_REQUEST_TIMEOUT_MILLIS, 1),
    maxRecordedRequests: wholeOption('maxRecordedRequests', options.maxRecordedRequests, DEFAULT_MAX_RECORDED_REQUESTS, 0),
    maxLogs: wholeOption('maxLogs', options.maxLogs, DEFAULT_MAX_LOGS, 1),
    viewerPageSize: Math.min(MAX_PAGE_SIZE, wholeOption('viewerPageSize', options.viewerPageSize, DEFAULT_VIEWER_PAGE_SIZE, 1)),
    otlp: options.otlp === true,
    otlpGrpcPort: options.otlpGrpcPort === undefined ? undefined : wholeOption('otlpGrpcPort', options.otlpGrpcPort, 0, 0),
  };
}

function wholeOption(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) throw new RangeError(`${name} must be a whole number >= ${min}`);
  return value;
}

function positiveOption(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!(typeof value === 'number' && value > 0)) throw new RangeError(`${name} must be a number > 0`);
  return value;
}

function handleFor(server: Server, state: ServerState, api: LocalApiVersion): TestLogServer {
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}/${api}`,
    port,
    store: state.store,
    logs: () => state.memory('logs()').records('v4').map(({ log }) => asStoredLog(log)),
    v5Logs: () => state.memory('v5Logs()').records('v5').map(({ log }) => log as StoredV5Log),
    logCount: () => state.memory('logCount()').count(),
    requests: () => state.requests.copies(),
    stats: () => state.stats(),
    inject: (fault, times) => state.faults.inject(fault, times),
    setFaultPlan: (plan) => state.faults.setPlan(plan),
    down: () => state.setDown(true),
    up: () => state.setDown(false),
    clear: () => state.clear(),
    close: () => (closing ??= state.close(server)),
  };
}

class ServerState {
  readonly faults = new FaultSchedule();
  readonly requests: RequestRecords;
  private readonly _streams = new EventStreams();
  private _dataFile: LogFileWriter | undefined;
  private readonly _onChange: ((change: LogChange) => void) | undefined;
  private readonly _sockets = new Set<Socket>();
  private readonly _closing = new AbortController();
  private readonly _context: ApiContext;
  private _down = false;
  readonly store: LogStorage;
  private readonly _memory: MemoryTables | undefined;
  private readonly _ownsStore: boolean;
  private _otlp: OtlpIngest | undefined;
  private _grpc: GrpcReceiver | undefined;

  constructor(
    private readonly _settings: Settings,
    storage: OpenedStorage,
  ) {
    // Each delayed request listens for the close while it waits, and lets go after: any number may wait at once.
    setMaxListeners(0, this._closing.signal);
    this.store = storage.store;
    this._memory = storage.memory;
    this._ownsStore = storage.owned;
    this.requests = new RequestRecords(_settings.maxRecordedRequests);
    this._onChange = guarded(_settings.onChange);
    const onLog = guarded(_settings.onLog);
    const onV5Log = guarded(_settings.onV5Log);
    this._context = {
      store: this.store,
      apiKey: _settings.apiKey,
      onStored: (log) => (onLog?.(log), this._publish({ api: 'v4', log, change: 'stored' })),
      onUpdated: (log) => this._publish({ api: 'v4', log, change: 'updated' }),
      v5: {
        onStored: (log) => (onV5Log?.(log), this._publish({ api: 'v5', log, change: 'stored' })),
        onUpdated: (log) => this._publish({ api: 'v5', log, change: 'updated' }),
      },
    };
  }

  /** The memory engine's tables, for the synchronous accessors; with `db` there are none. */
  memory(accessor: string): MemoryTables {
    if (this._memory) return this._memory;
    throw new Error(`${accessor} reads the memory store: this server keeps its logs in ${this.store.engine}; read them through store or GET /v4/logs and /v5/logs`);
  }

  /** Loads the data file into the store and opens it for appending. */
  async openDataFile(): Promise<void> {
    const { dataFile, dataMaxBytes, onWarning } = this._settings;
    if (dataFile === undefined) return;
    const loaded = await loadLogFile(dataFile);
    for (const record of loaded.records) await this.store.restore(asStoreRecord(record));
    if (loaded.skipped > 0) onWarning(`skipped ${loaded.skipped} line(s) of ${dataFile} that are not logs`);
    this._dataFile = new LogFileWriter(dataFile, loaded, dataMaxBytes, onWarning);
  }

  /** OTLP in, delivered to this server's own log API (`url`) by an exporter of its own. */
  async startOtlp(url: string): Promise<{ tracesUrl: string; grpcPort: number | undefined }> {
    const { apiKey, api, hostAllowed, host, otlpGrpcPort } = this._settings;
    // Without a key of the server's own any non-empty key is accepted: the exporter needs one to send.
    const exporter = { baseUrl: url, api, apiKey: apiKey ?? 'otlp' };
    this._otlp = createOtlpIngest({ exporter, hostAllowed, token: apiKey });
    if (otlpGrpcPort !== undefined) this._grpc = await this._otlp.startGrpc(otlpGrpcPort, host);
    return { tracesUrl: `${new URL(url).origin}/v1/traces`, grpcPort: this._grpc?.port };
  }

  /** Closes the data file and the store. */
  async closeStorage(): Promise<void> {
    await this._dataFile?.close();
    if (this._ownsStore) await this.store.close();
  }

  /** The viewer's page of logs before `cursor` (the newest without one), newest first, and the cursor of the page before it. */
  async viewerPage(cursor: string | undefined): Promise<LogsPage> {
    const page = await this.store.list({ order: 'newest', limit: this._settings.viewerPageSize, cursor });
    return { logs: page.logs as AnyStoredLog[], older: page.next };
  }

  private _publish(change: LogChange): void {
    this._dataFile?.append(change);
    this._streams.publish(change);
    this._onChange?.(change);
  }

  track(socket: Socket): void {
    if (this._down) return void socket.destroy();
    this._sockets.add(socket);
    socket.once('close', () => this._sockets.delete(socket));
  }

  setDown(down: boolean): void {
    this._down = down;
    if (down) this._destroySockets();
  }

  clear(): void {
    this.memory('clear()').clear();
    this.faults.clear();
    this.requests.clear();
    this._streams.reset({ logs: [], older: undefined });
  }

  stats(): LocalServerStats {
    const memory = this.memory('stats()');
    return {
      storedLogs: memory.count(),
      logsPushedOut: memory.pushedOut,
      recordedRequests: this.requests.size,
      requestRecordsPushedOut: this.requests.pushedOut,
    };
  }

  async close(server: Server): Promise<void> {
    // What OTLP brought in is delivered to this server before it stops listening.
    await this._grpc?.close();
    await this._otlp?.close();
    this._closing.abort();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    this._destroySockets();
    await closed;
    await this.closeStorage();
  }

  /** Never rejects: whatever goes wrong becomes an answer, or nothing when the socket is gone. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this._otlp && pathOf(req.url ?? '') === OTLP_TRACES_PATH) return this._otlp.handle(req, res);
    const exchange = this._begin(req, res);
    try {
      await this._serve(exchange);
    } catch (error) {
      // On close, a delay fault's wait is cut short: the socket is gone, there is no one to answer.
      if (this._closing.signal.aborted) return;
      // A store write is one transaction: a request refused so has stored nothing.
      send(exchange, storeFailureReply(error));
    }
  }

  private async _serve(exchange: Exchange): Promise<void> {
    const { record, req } = exchange;
    if (!this._settings.hostAllowed(req.headers.host)) {
      return send(exchange, { status: 403, body: { detail: 'Host is not a name this server answers to: use localhost or 127.0.0.1, or allow it with allowedHosts (--allowed-host)' } });
    }
    const path = pathOf(record.path);
    if (isViewerPath(path)) return await this._serveViewer(exchange, path);
    const fault = this.faults.next({ index: record.index, method: record.method, path: record.path });
    if (fault) record.fault = describeFault(fault);
    const body = await readBody(exchange.req, this._settings.maxBodyBytes);
    if (body.kind === 'aborted') return;
    const json = body.kind === 'complete' ? parseJson(body.bytes) : undefined;
    record.itemCount = countItems(record.method, json);
    if (fault && (await playFault(exchange, fault, this._closing.signal)) === 'finished') return;
    if (json === undefined) return refuseTooLarge(exchange); // The body was over maxBodyBytes.
    send(exchange, await answerApiRequest(apiRequest(exchange, json), this._context));
  }

  /** The page and its live feed: GET only; the feed answers a non-loopback peer only with the key. */
  private async _serveViewer(exchange: Exchange, path: string): Promise<void> {
    const { req, res, record } = exchange;
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(exchange, { status: 405, body: { detail: 'method not allowed' } });
    if (path === EVENTS_PATH) {
      if (!this._mayRead(req)) return send(exchange, { status: 401, body: { detail: 'missing or invalid X-API-KEY' } });
      record.status = 200;
      return this._streams.open(res, () => this.viewerPage(undefined));
    }
    if (path === OLDER_PATH) return this._serveOlder(exchange);
    const asset = viewerAsset(path);
    if (!asset) return send(exchange, { status: 404, body: { detail: 'not found' } });
    record.status = 200;
    record.answeredAt = performance.now();
    const bytes = Buffer.from(asset.body);
    res.writeHead(200, { ...VIEWER_HEADERS, 'content-type': asset.type, 'content-length': bytes.length });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  }

  /** `GET /older?cursor=…`: the page of logs before the cursor, as the live feed's snapshot gives one. */
  private async _serveOlder(exchange: Exchange): Promise<void> {
    if (!this._mayRead(exchange.req)) return send(exchange, { status: 401, body: { detail: 'missing or invalid X-API-KEY' } });
    const cursor = new URLSearchParams(exchange.record.path.split('?')[1] ?? '').get('cursor');
    if (cursor === null) return send(exchange, { status: 422, body: { detail: [{ loc: ['query', 'cursor'], msg: 'field required', type: 'value_error.missing' }] } });
    try {
      send(exchange, { status: 200, body: pageBody(await this.viewerPage(cursor)) });
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      send(exchange, { status: 422, body: { detail: [cursorError()] } });
    }
  }

  /** As for the log API's reads: this machine without a key, anyone with the right one, no one with a wrong one. */
  private _mayRead(req: IncomingMessage): boolean {
    const key = singleHeader(req.headers['x-api-key']);
    if (!key && isLoopbackPeer(req.socket.remoteAddress)) return true;
    return authorized(key, this._settings.apiKey);
  }

  private _begin(req: IncomingMessage, res: ServerResponse): Exchange {
    const record = this.requests.add({
      method: req.method ?? '',
      path: req.url ?? '',
      status: undefined,
      itemCount: 0,
      headers: redactedHeaders(req),
      receivedAt: performance.now(),
      answeredAt: undefined,
    });
    return { req, res, record };
  }

  private _destroySockets(): void {
    for (const socket of this._sockets) socket.destroy();
  }
}

function apiRequest({ req, record }: Exchange, body: JsonParse): ApiRequest {
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
function storeFailureReply(error: unknown): Reply {
  if (error instanceof StoreUnavailableError) return { status: 503, body: { detail: 'the log store cannot be reached now: try again later' }, headers: { 'retry-after': String(STORE_RETRY_AFTER_SECONDS) } };
  if (error instanceof StoreFullError) return { status: 507, body: { detail: 'the log store is full: nothing of the request was stored' } };
  return { status: 500, body: { detail: 'local log server error' } };
}

/** Plays a fault: `finished` when the request is done with (answered, dropped or hung). */
async function playFault(exchange: Exchange, fault: Fault, closing: AbortSignal): Promise<'finished' | 'continue'> {
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

function refuseTooLarge(exchange: Exchange): void {
  send(exchange, { status: 413, body: { detail: 'request body too large' } }, { connection: 'close' });
  const { socket } = exchange.req;
  exchange.res.once('finish', () => setTimeout(() => socket.destroy(), DRAIN_GRACE_MILLIS).unref());
}

function send(exchange: Exchange, reply: Reply, headers: Record<string, string> = {}): void {
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

function countItems(method: string, json: JsonParse | undefined): number {
  if (method !== 'POST' || !json?.ok) return 0;
  return Array.isArray(json.value) ? json.value.length : 1;
}

/** Node joins repeated headers it does not know into one string; an array is refused as no value. */
function singleHeader(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function redactedHeaders(req: IncomingMessage): Record<string, string> {
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
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') return void socket.destroy();
  const status = ownValue(CLIENT_ERROR_STATUS, error.code ?? '') ?? '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function once(action: () => void): () => void {
  let done = false;
  return () => {
    if (!done) action();
    done = true;
  };
}

function guarded<T>(listener: ((log: T) => void) | undefined): ((log: T) => void) | undefined {
  if (!listener) return undefined;
  return (log) => {
    try {
      listener(log);
    } catch {
      // The listener's failure is not the client's: the log is stored and answered regardless.
    }
  };
}
