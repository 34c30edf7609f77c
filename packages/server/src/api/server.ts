/** Starting the log server (`startLocalLogServer`, and `startTestLogServer` with fault injection) and the handle it returns. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { listen } from '../common/listen.js';
import { requestTimeouts } from '../common/request-timeouts.js';
import type { Fault, FaultPlan } from './faults.js';
import type { RecordedRequest } from './request-records.js';
import { openMemoryStore } from '../store/memory-store.js';
import { openStore } from '../store/open-store.js';
import type { LogStorage } from '../store/types.js';
import { asStoredLog, type StoredLog, type StoredV5Log } from './stored-logs.js';
import { ServerState, type LocalServerStats, type OpenedStorage } from './server-state.js';
import { resolveSettings, type LocalApiVersion, type LocalLogServerOptions, type Settings } from './server-options.js';
import { answerClientError } from './exchange.js';

export type { RecordedRequest } from './request-records.js';
export { DEFAULT_MAX_LOGS, type LocalApiVersion, type LocalLogServerOptions } from './server-options.js';
export type { LocalServerStats } from './server-state.js';

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

function once(action: () => void): () => void {
  let done = false;
  return () => {
    if (!done) action();
    done = true;
  };
}

