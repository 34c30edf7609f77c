/** The log server's options, and the settings they resolve to (defaults filled in, every value checked). */
import { isLoopbackHost } from '../common/loopback.js';
import { allowedHostsOption, hostCheck, type HostCheck } from '../common/host-check.js';
import type { LogChange } from './event-stream.js';
import { DEFAULT_MAX_MEMORY_LOGS } from '../store/memory-tables.js';
import { MAX_PAGE_SIZE, type LogStorage } from '../store/types.js';
import { DEFAULT_DATA_MAX_BYTES } from './log-file.js';
import type { StoredLog, StoredV5Log } from './stored-logs.js';
import { DEFAULT_VIEWER_PAGE_SIZE } from './viewer-routes.js';

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

export interface Settings {
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

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

const DEFAULT_REQUEST_TIMEOUT_MILLIS = 30_000;

const DEFAULT_MAX_RECORDED_REQUESTS = 10_000;

export const DEFAULT_MAX_LOGS = DEFAULT_MAX_MEMORY_LOGS;

export function resolveSettings(options: LocalLogServerOptions): Settings {
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
