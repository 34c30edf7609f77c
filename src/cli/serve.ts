// `humanloop-otel-exporter serve`: the local Humanloop-compatible log server, for seeing what an
// app would send. Prints one line per stored log: ids and kinds only, never contents or keys.
import { parseArgs } from 'node:util';
import { isLoopbackHost } from '../config.js';
import { startLocalLogServer, type LocalApiVersion, type StoredLog, type StoredV5Log } from '../local/index.js';
import { untilSignalled, usageError, type CliCommand } from './command.js';

const USAGE = `Usage: humanloop-otel-exporter serve [--port N] [--host 127.0.0.1] [--api-key KEY] [--api v4|v5]

Starts a Humanloop-compatible log API on loopback. Point the exporter's baseUrl at the URL it prints.
Both Humanloop APIs are served: v4 (POST /v4/logs) and v5 (POST /v5/prompts/log, /tools/log,
/flows/log, /agents/log). --api chooses which base URL is printed; the default is v4.
Without --api-key, any non-empty X-API-KEY is accepted.`;

const DEFAULT_PORT = 8787;
const MAX_FIELD_CHARS = 80;
// C0 and C1 controls and bidirectional overrides: a log's strings must not drive the terminal.
// eslint-disable-next-line no-control-regex -- matching control characters is the point.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

interface ServeOptions {
  port: number;
  host: string;
  apiKey: string | undefined;
  api: LocalApiVersion;
}

async function serve(argv: string[]): Promise<number> {
  const options = parseServeArgs(argv);
  if (typeof options === 'number') return options;
  const server = await startLocalLogServer({
    ...options,
    onLog: (log) => console.log(describeLog(log)),
    onV5Log: (log) => console.log(describeV5Log(log)),
  });
  const posts = options.api === 'v5' ? `${server.url}/{prompts,tools,flows,agents}/log` : `${server.url}/logs`;
  console.log(`Humanloop-compatible log server at ${server.url} (POST ${posts}, GET ${server.url}/logs)`);
  console.log(options.apiKey === undefined ? 'Any non-empty X-API-KEY is accepted.' : 'X-API-KEY must match --api-key.');
  await untilSignalled();
  await server.close();
  return 0;
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
  const port = /^\d{1,5}$/.test(values.port) ? Number(values.port) : NaN;
  if (!(port <= 65535)) return usageError('--port must be a whole number from 0 to 65535', USAGE);
  if (!isLoopbackHost(values.host)) return usageError('--host must be a loopback address, such as 127.0.0.1', USAGE);
  if (values['api-key'] === '') return usageError('--api-key must not be empty', USAGE);
  if (values.api !== 'v4' && values.api !== 'v5') return usageError('--api must be v4 or v5', USAGE);
  return { port, host: values.host, apiKey: values['api-key'], api: values.api };
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
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** `data_… ref=… parent=… model gpt-4o`: which log, where it hangs, what kind. */
function describeLog(log: StoredLog): string {
  const config: Record<string, unknown> = typeof log.config === 'object' && log.config !== null ? { ...log.config } : {};
  const what = printable(config.model) ?? printable(config.name) ?? printable(config.agent_class) ?? '-';
  const ids = [log.id, `ref=${printable(log.reference_id) ?? '-'}`, `parent=${printable(log.parent_reference_id) ?? '-'}`];
  return [...ids, printable(config.type) ?? '-', what].join(' ');
}

/** `log_3 prompt path=qa/answer parent=log_1`: which log, of which file type and file, under which parent. */
function describeV5Log(log: StoredV5Log): string {
  const path = printable(log.path);
  const where = path === undefined ? `file=${printable(log.file_id) ?? '-'}` : `path=${path}`;
  return [printable(log.id) ?? '-', log.type, where, `parent=${printable(log.trace_parent_id) ?? '-'}`].join(' ');
}

function printable(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const clean = value.replace(UNPRINTABLE, '?');
  return clean.length > MAX_FIELD_CHARS ? `${clean.slice(0, MAX_FIELD_CHARS - 1)}…` : clean;
}

export const serveCommand: CliCommand = {
  summary: 'a Humanloop-compatible log server on loopback, to see what an app would send',
  run: serve,
};
