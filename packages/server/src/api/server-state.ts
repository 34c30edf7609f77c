/** What a running log server holds: its store, request records, faults, live feeds, sockets, OTLP intake; and how it handles a request. */
import { setMaxListeners } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { readBody } from '../common/read-body.js';
import type { GrpcReceiver } from '../gateway/grpc-receiver.js';
import { createOtlpIngest, type OtlpIngest } from '../gateway/otlp-ingest.js';
import { isLoopbackPeer } from './access.js';
import { EventStreams, pageBody, type LogChange, type LogsPage } from './event-stream.js';
import { describeFault, FaultSchedule } from './faults.js';
import { parseJson } from './http-body.js';
import { RequestRecords } from './request-records.js';
import type { MemoryTables } from '../store/memory-tables.js';
import type { LogStorage } from '../store/types.js';
import { loadLogFile, LogFileWriter } from './log-file.js';
import type { AnyStoredLog } from './log-summary.js';
import { pathOf } from './replies.js';
import { answerApiRequest, authorized, type ApiContext } from './routes.js';
import { asStoreRecord } from './stored-logs.js';
import { paramsOf } from './list-query.js';
import { pagedOrRefused } from './read-routes.js';
import { EVENTS_PATH, isViewerPath, OLDER_PATH, VIEWER_HEADERS, viewerAsset } from './viewer-routes.js';
import { apiRequest, countItems, playFault, redactedHeaders, refuseTooLarge, send, singleHeader, storeFailureReply, type Exchange } from './exchange.js';
import type { Settings } from './server-options.js';

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

const OTLP_TRACES_PATH = '/v1/traces';

export interface OpenedStorage {
  store: LogStorage;
  /** The memory engine's tables, for the synchronous accessors. */
  memory: MemoryTables | undefined;
  /** Opened by the server, which closes it. */
  owned: boolean;
}

export class ServerState {
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
    const cursor = paramsOf(exchange.record.path).get('cursor');
    if (cursor === null) return send(exchange, { status: 422, body: { detail: [{ loc: ['query', 'cursor'], msg: 'field required', type: 'value_error.missing' }] } });
    const page = await pagedOrRefused(() => this.viewerPage(cursor));
    send(exchange, 'status' in page ? page : { status: 200, body: pageBody(page) });
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
