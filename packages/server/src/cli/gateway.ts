// `humanloop-log-server gateway`: an OTLP/HTTP receiver that delivers the spans it receives
// through the Humanloop exporter. Keys and tokens come from the environment or from files, never
// from the command line (where other users of the machine could read them).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { HumanloopSpanExporterOptions } from 'humanloop-otel-exporter';
import { isLoopbackHost } from '../common/loopback.js';
import { hostListProblem } from '../common/host-check.js';
import { loadRedactionFile, RedactionConfigError } from '../gateway/redaction.js';
import type { OtlpGatewayOptions } from '../gateway/server.js';
import { listenFailure, untilSignalled, usageError, wholeNumber, type CliCommand } from './command.js';

const USAGE = `Usage: humanloop-log-server gateway [options]

Receives OTLP traces (HTTP: POST /v1/traces, protobuf or JSON, gzip; gRPC with --grpc-port) and sends their LLM
spans to Humanloop as logs, as the in-process exporter would. GET /health and GET /metrics
(JSON; ?format=prometheus for the Prometheus text format) are for operators.

Options:
  --port N                 OTLP/HTTP port (default 4318; 0 picks a free one)
  --grpc-port N            also receive OTLP/gRPC on this port (4317 is the usual one); the
                           Collector's loadbalancing exporter speaks gRPC
  --host HOST              address to listen on (default 127.0.0.1); any other needs a token
  --allowed-host NAME      a name senders reach the gateway by over HTTP (repeatable; .example.com
                           for every name under it); loopback names, --host and, on 0.0.0.0 or
                           ::, IP addresses are allowed without it; other Host headers get 403
  --api v4|v5              Humanloop API (default: HUMANLOOP_API_VERSION, else v4)
  --base-url URL           Humanloop base URL (default: HUMANLOOP_BASE_URL, else the log server on 127.0.0.1:8787)
  --project NAME           project of every log (default: HUMANLOOP_PROJECT, else service.name)
  --environment NAME       environment of every log
  --no-content             send no messages, outputs, inputs or tool arguments
  --redaction FILE         JSON redaction rules applied to every log (see the README)
  --spool-dir DIR          where logs still undelivered at shutdown are written, and read back
  --max-body-bytes N       largest request body, compressed or not (default 16777216)
  --max-pending-spans N    spans in delivery before senders get 429 (default 10000)
  --retry-after N          seconds in Retry-After of a 429 or 503 (default 1)
  --api-key-file FILE      read the Humanloop API key from FILE (default: HUMANLOOP_API_KEY)
  --token-file FILE        read the senders' bearer token from FILE (default: HUMANLOOP_GATEWAY_TOKEN)

Senders authenticate with "Authorization: Bearer <token>" when a token is set.`;

function readArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '4318' },
      'grpc-port': { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'allowed-host': { type: 'string', multiple: true },
      api: { type: 'string' },
      'base-url': { type: 'string' },
      project: { type: 'string' },
      environment: { type: 'string' },
      'no-content': { type: 'boolean', default: false },
      redaction: { type: 'string' },
      'spool-dir': { type: 'string' },
      'max-body-bytes': { type: 'string' },
      'max-pending-spans': { type: 'string' },
      'retry-after': { type: 'string' },
      'api-key-file': { type: 'string' },
      'token-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

type Values = ReturnType<typeof readArgs>['values'];

/** The library's own message names its `apiKey` option; the command takes the key from these. */
const MISSING_KEY = 'no Humanloop API key: set HUMANLOOP_API_KEY, or pass --api-key-file FILE';

async function gateway(argv: string[]): Promise<number> {
  const options = parseGatewayArgs(argv, process.env);
  if (typeof options === 'number') return options;
  if (options.exporter?.apiKey === undefined) {
    console.error(`gateway: ${MISSING_KEY}`);
    return 1;
  }
  let running;
  try {
    // Loaded here, so that the other commands do not load the gRPC and protobuf libraries.
    const { startOtlpGateway } = await import('../gateway/server.js');
    running = await startOtlpGateway(options);
  } catch (error) {
    console.error(`gateway: ${listenFailure(error, options.port ?? 4318, options.host ?? '127.0.0.1')}`);
    return 1;
  }
  console.log(`OTLP gateway at ${running.url}/v1/traces (GET ${running.url}/health, ${running.url}/metrics)`);
  if (running.grpcPort !== undefined) console.log(`OTLP/gRPC on port ${running.grpcPort}`);
  console.log(options.token === undefined ? 'No token set: any local sender is accepted.' : 'Senders must send Authorization: Bearer <token>.');
  await untilSignalled();
  await running.close();
  return 0;
}

/** The gateway's options, or the exit code when it cannot start. */
export function parseGatewayArgs(argv: string[], env: NodeJS.ProcessEnv): OtlpGatewayOptions | number {
  let values: Values;
  try {
    const parsed = readArgs(argv);
    if (parsed.positionals.length > 0) return usageError(`unexpected argument: ${parsed.positionals[0]}`, USAGE);
    values = parsed.values;
  } catch (error) {
    return usageError(error instanceof Error ? error.message : 'invalid arguments', USAGE);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    return gatewayOptions(values, env);
  } catch (error) {
    if (error instanceof ArgumentError || error instanceof RedactionConfigError) return usageError(error.message, USAGE);
    throw error;
  }
}

class ArgumentError extends Error {}

function gatewayOptions(values: Values, env: NodeJS.ProcessEnv): OtlpGatewayOptions {
  const token = secret(values['token-file'], env.HUMANLOOP_GATEWAY_TOKEN, '--token-file');
  if (!isLoopbackHost(values.host) && token === undefined) {
    throw new ArgumentError(`--host ${values.host} is not loopback: set HUMANLOOP_GATEWAY_TOKEN (or --token-file) so that only your senders can post`);
  }
  return {
    port: whole(values.port, '--port', 0, 65535),
    grpcPort: values['grpc-port'] === undefined ? undefined : whole(values['grpc-port'], '--grpc-port', 0, 65535),
    host: values.host,
    allowedHosts: allowedHosts(values['allowed-host']),
    token,
    exporter: exporterOptions(values, env),
    maxBodyBytes: optionalWhole(values['max-body-bytes'], '--max-body-bytes'),
    maxPendingSpans: optionalWhole(values['max-pending-spans'], '--max-pending-spans'),
    retryAfterSeconds: optionalWhole(values['retry-after'], '--retry-after'),
  };
}

function exporterOptions(values: Values, env: NodeJS.ProcessEnv): HumanloopSpanExporterOptions {
  if (values.api !== undefined && values.api !== 'v4' && values.api !== 'v5') throw new ArgumentError('--api must be v4 or v5');
  const options: HumanloopSpanExporterOptions = {};
  const apiKey = secret(values['api-key-file'], env.HUMANLOOP_API_KEY, '--api-key-file');
  if (apiKey !== undefined) options.apiKey = apiKey;
  if (values.api !== undefined) options.api = values.api;
  if (values['base-url'] !== undefined) options.baseUrl = values['base-url'];
  if (values.project !== undefined) options.project = values.project;
  if (values.environment !== undefined) options.environment = values.environment;
  if (values['no-content']) options.captureContent = false;
  if (values['spool-dir'] !== undefined) options.spoolDir = values['spool-dir'];
  if (values.redaction !== undefined) {
    const redact = loadRedactionFile(values.redaction);
    options.redact = (log) => redact(log);
  }
  return options;
}

/** A key or token: from the file when one is named (trailing newline trimmed), else the variable. */
function secret(file: string | undefined, fromEnv: string | undefined, flag: string): string | undefined {
  if (file === undefined) return fromEnv === undefined || fromEnv.trim() === '' ? undefined : fromEnv.trim();
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (error) {
    throw new ArgumentError(`${flag}: cannot read ${file} (${(error as { code?: string }).code ?? 'error'})`);
  }
  if (text === '') throw new ArgumentError(`${flag}: ${file} is empty`);
  return text;
}

function allowedHosts(names: string[] | undefined): string[] | undefined {
  const problem = names && hostListProblem(names);
  if (problem !== undefined) throw new ArgumentError(`--allowed-host: ${problem}`);
  return names;
}

function whole(raw: string, flag: string, min: number, max: number): number {
  const value = wholeNumber(raw);
  if (!(value >= min && value <= max)) throw new ArgumentError(`${flag} must be a whole number from ${min} to ${max}`);
  return value;
}

function optionalWhole(raw: string | undefined, flag: string): number | undefined {
  return raw === undefined ? undefined : whole(raw, flag, 1, Number.MAX_SAFE_INTEGER);
}

export const gatewayCommand: CliCommand = {
  summary: 'an OTLP/HTTP receiver that sends the spans it receives to Humanloop as logs',
  run: gateway,
};
