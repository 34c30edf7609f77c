// `humanloop-log-server serve`: the local Humanloop-compatible log server and trace viewer, for
// seeing what an app would send. Prints each trace as a tree as its logs arrive (or JSON lines, or
// nothing), serves a web page at /, and keeps the logs in memory, SQLite or PostgreSQL (--db).
import { parseArgs } from 'node:util';
import { DEFAULT_BASE_URL } from 'humanloop-otel-exporter';
import { isLoopbackHost } from '../common/loopback.js';
import { hostListProblem } from '../common/host-check.js';
import { startLocalLogServer, type LocalApiVersion, type LocalLogServer, type LogChange } from '../api/index.js';
import { DEFAULT_DATA_MAX_BYTES } from '../api/log-file.js';
import { DEFAULT_MAX_LOGS } from '../api/server.js';
import { StoreUnavailableError } from '../store/types.js';
import { listenFailure, untilSignalled, usageError, wholeNumber, type CliCommand } from './command.js';
import { jsonLine, QUIET_MILLIS, TracePrinter } from './serve-output.js';

/** The port the exporter's default base URL names, so that both work with no setting. */
const DEFAULT_PORT = Number(new URL(DEFAULT_BASE_URL).port);

const USAGE = `Usage: humanloop-log-server serve [options]

Starts a Humanloop-compatible log API and trace viewer on loopback. Point the exporter's baseUrl at
the URL it prints, and open the page it prints to read the traces. Both Humanloop APIs are served:
v4 (POST /v4/logs) and v5 (POST /v5/prompts/log, /tools/log, /flows/log, /agents/log). Apps in any
language may send OTLP traces instead (POST /v1/traces, protobuf or JSON; with --api-key, as
Authorization: Bearer KEY): their LLM spans are stored as logs, as the exporter would send them.

Options:
  --port N              port to listen on (default ${DEFAULT_PORT}; 0 for any free port)
  --host ADDRESS        loopback address to listen on (default 127.0.0.1)
  --api-key KEY         the X-API-KEY writes must carry (default: any non-empty key)
  --api v4|v5           which API's base URL to print (default v4; both are served)
  --db PATH|URL         keep logs in a SQLite file (created if missing) or a PostgreSQL database
                        (postgres://user:password@host/name); several servers on one PostgreSQL
                        database act as one; one not up yet gets requests 503 until it is.
                        Without it, logs are kept in memory
  --retain-days N       remove logs stored more than N days ago (in the background)
  --retain-bytes N      remove the oldest logs past N bytes of logs (in the background)
  --data FILE           memory only: keep logs in FILE (JSON Lines), loaded at start, each log
                        appended (with --db the database keeps them: give one of the two)
  --data-max-bytes N    stop appending to FILE once it would pass N bytes (default ${DEFAULT_DATA_MAX_BYTES})
  --max-logs N          memory only: keep at most N logs of each API, the oldest pushed out first
                        (default ${DEFAULT_MAX_LOGS}; one warning when it starts)
  --quiet               print only the startup lines
  --json                print one JSON line per stored or updated log instead of trees
  --allow-remote        listen on a non-loopback --host (for a container); needs --api-key,
                        which reads then need too unless from loopback
  --allowed-host NAME   a name clients reach the server by (repeatable; .example.com for every
                        name under it); loopback names, --host and, on 0.0.0.0 or ::, IP
                        addresses are allowed without it; other Host headers get 403
  --otlp-grpc-port N    also take OTLP/gRPC on port N (OTLP/HTTP is always taken at /v1/traces)
  -h, --help            print this help

Reads (GET /v4/logs, GET /v5/logs and the page at /) need no key from this machine; writes do.`;

type OutputMode = 'trees' | 'json' | 'quiet';

interface ServeOptions {
  port: number;
  host: string;
  apiKey: string | undefined;
  api: LocalApiVersion;
  db: string | undefined;
  retainDays: number | undefined;
  retainBytes: number | undefined;
  dataFile: string | undefined;
  dataMaxBytes: number;
  maxLogs: number | undefined;
  allowRemote: boolean;
  allowedHosts: string[] | undefined;
  output: OutputMode;
  otlpGrpcPort: number | undefined;
}

async function serve(argv: string[]): Promise<number> {
  const options = parseServeArgs(argv);
  if (typeof options === 'number') return options;
  const output = outputFor(options.output);
  let server: LocalLogServer;
  try {
    server = await startLocalLogServer({
      port: options.port,
      host: options.host,
      apiKey: options.apiKey,
      api: options.api,
      db: options.db,
      // A server may start before its PostgreSQL: it answers 503 until the database answers.
      whenUnreachable: 'retry',
      retainDays: options.retainDays,
      retainBytes: options.retainBytes,
      dataFile: options.dataFile,
      dataMaxBytes: options.dataMaxBytes,
      maxLogs: options.maxLogs,
      allowRemote: options.allowRemote,
      allowedHosts: options.allowedHosts,
      onChange: output.onChange,
      onWarning: (message) => console.error(`warning: ${message}`),
      otlp: true,
      otlpGrpcPort: options.otlpGrpcPort,
    });
  } catch (error) {
    console.error(`Cannot start the server: ${listenFailure(error, options.port, options.host)}`);
    return 1;
  }
  await printStartup(server, options);
  await untilSignalled();
  await server.close();
  output.stop();
  return 0;
}

function outputFor(mode: OutputMode): { onChange: ((change: LogChange) => void) | undefined; stop: () => void } {
  if (mode === 'quiet') return { onChange: undefined, stop: () => undefined };
  if (mode === 'json') return { onChange: (change) => console.log(jsonLine(change)), stop: () => undefined };
  const printer = new TracePrinter((line) => console.log(line));
  let timer: NodeJS.Timeout | undefined;
  return {
    onChange: (change) => {
      printer.add(change);
      clearTimeout(timer);
      timer = setTimeout(() => printer.flush(), QUIET_MILLIS);
    },
    stop: () => {
      clearTimeout(timer);
      printer.flush();
    },
  };
}

async function printStartup(server: LocalLogServer, options: ServeOptions): Promise<void> {
  const stored = options.db === undefined ? undefined : await storedCount(server);
  const origin = server.url.replace(/\/v[45]$/, '');
  const posts = options.api === 'v5' ? `${server.url}/{prompts,tools,flows,agents}/log` : `${server.url}/logs`;
  console.log(`Humanloop-compatible log server at ${server.url} (POST ${posts}, GET ${server.url}/logs)`);
  console.log(`Trace viewer: ${origin}/`);
  if (server.otlp) {
    const grpc = server.otlp.grpcPort === undefined ? '' : `, OTLP/gRPC on port ${server.otlp.grpcPort}`;
    console.log(`OTLP traces: POST ${server.otlp.tracesUrl}${grpc} (LLM spans stored as ${options.api} logs)`);
  }
  console.log(options.apiKey === undefined ? 'Any non-empty X-API-KEY is accepted.' : 'X-API-KEY must match --api-key.');
  if (options.dataFile !== undefined) {
    const count = server.logCount();
    console.log(`Logs are kept in ${options.dataFile} (${count} loaded).`);
  }
  if (options.db !== undefined) console.log(`Logs are kept in ${describeDb(options.db)} (${stored}).`);
}

/** How many logs the store holds, or that it cannot be reached yet. */
async function storedCount(server: LocalLogServer): Promise<string> {
  try {
    return `${(await server.store.totals()).logs} stored`;
  } catch (error) {
    if (!(error instanceof StoreUnavailableError)) throw error;
    return 'not reachable yet: requests get 503 until it is';
  }
}

/** Where the logs are, without a password a PostgreSQL URL may hold. */
function describeDb(db: string): string {
  if (!/^postgres(ql)?:\/\//.test(db)) return `the SQLite file ${db}`;
  try {
    const url = new URL(db);
    return `PostgreSQL at ${url.host}${url.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}

/** The options, or the exit code when there is nothing to serve. */
function parseServeArgs(argv: string[]): ServeOptions | number {
  let parsed: ReturnType<typeof readArgs>;
  try {
    parsed = readArgs(argv);
  } catch (error) {
    return usageError(error instanceof Error ? error.message : 'invalid arguments', USAGE);
  }
  const { positionals, values } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length > 0) return usageError(`unexpected argument: ${positionals[0]}`, USAGE);
  const port = wholeNumber(values.port);
  if (!(port <= 65535)) return usageError('--port must be a whole number from 0 to 65535', USAGE);
  if (values['api-key'] === '') return usageError('--api-key must not be empty', USAGE);
  const remote = remoteProblem(values.host, values['allow-remote'] === true, values['api-key']);
  if (remote !== undefined) return usageError(remote, USAGE);
  if (values.api !== 'v4' && values.api !== 'v5') return usageError('--api must be v4 or v5', USAGE);
  const hostProblem = values['allowed-host'] && hostListProblem(values['allowed-host']);
  if (hostProblem !== undefined) return usageError(`--allowed-host: ${hostProblem}`, USAGE);
  if (values.data === '') return usageError('--data must name a file', USAGE);
  const dataMaxBytes = wholeNumber(values['data-max-bytes']);
  if (Number.isNaN(dataMaxBytes)) return usageError('--data-max-bytes must be a whole number of bytes', USAGE);
  const maxLogs = values['max-logs'] === undefined ? undefined : wholeNumber(values['max-logs']);
  if (maxLogs !== undefined && !(maxLogs >= 1)) return usageError('--max-logs must be a whole number of logs, at least 1', USAGE);
  const db = values.db;
  if (db === '') return usageError('--db must name a SQLite file or a postgres:// URL', USAGE);
  if (db !== undefined && values.data !== undefined) return usageError('--data keeps memory logs in a file: with --db the database keeps them; give one of the two', USAGE);
  if (db !== undefined && maxLogs !== undefined) return usageError('--max-logs bounds the memory store: with --db, use --retain-days or --retain-bytes', USAGE);
  const retainDays = positiveNumber(values['retain-days']);
  if (Number.isNaN(retainDays)) return usageError('--retain-days must be a number of days above 0', USAGE);
  const retainBytes = positiveNumber(values['retain-bytes']);
  if (Number.isNaN(retainBytes)) return usageError('--retain-bytes must be a number of bytes above 0', USAGE);
  if (values.quiet && values.json) return usageError('--quiet and --json cannot be used together', USAGE);
  const otlpGrpcPort = values['otlp-grpc-port'] === undefined ? undefined : wholeNumber(values['otlp-grpc-port']);
  if (otlpGrpcPort !== undefined && !(otlpGrpcPort <= 65535)) return usageError('--otlp-grpc-port must be a whole number from 0 to 65535', USAGE);
  return {
    port,
    host: values.host,
    apiKey: values['api-key'],
    api: values.api,
    db,
    retainDays,
    retainBytes,
    dataFile: values.data,
    dataMaxBytes,
    maxLogs,
    allowRemote: values['allow-remote'] === true,
    allowedHosts: values['allowed-host'],
    output: values.quiet ? 'quiet' : values.json ? 'json' : 'trees',
    otlpGrpcPort,
  };
}

/** undefined when not given, NaN when not a number above 0. */
function positiveNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  return value > 0 ? value : NaN;
}

function remoteProblem(host: string, allowRemote: boolean, apiKey: string | undefined): string | undefined {
  if (allowRemote && apiKey === undefined) return '--allow-remote needs --api-key: a server others can reach must check the key';
  if (!allowRemote && !isLoopbackHost(host)) {
    return '--host must be a loopback address, such as 127.0.0.1 (to listen on another, add --allow-remote and --api-key)';
  }
  return undefined;
}

function readArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', default: String(DEFAULT_PORT) },
      host: { type: 'string', default: '127.0.0.1' },
      'api-key': { type: 'string' },
      api: { type: 'string', default: 'v4' },
      db: { type: 'string' },
      'retain-days': { type: 'string' },
      'retain-bytes': { type: 'string' },
      data: { type: 'string' },
      'data-max-bytes': { type: 'string', default: String(DEFAULT_DATA_MAX_BYTES) },
      'max-logs': { type: 'string' },
      quiet: { type: 'boolean' },
      json: { type: 'boolean' },
      'allow-remote': { type: 'boolean' },
      'allowed-host': { type: 'string', multiple: true },
      'otlp-grpc-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

export const serveCommand: CliCommand = {
  summary: 'a Humanloop-compatible log server and trace viewer on loopback, to see what an app would send',
  run: serve,
};
