import type { ReadableSpan } from '../common/otel.js';
import type { Dispatcher } from 'undici';
import { DiagLogLevel } from '@opentelemetry/api';
import { misconfigured } from '../common/diag.js';
import { isLoopbackHost } from '../common/loopback.js';
import type { LogRequest } from '../log/log-request.js';

/** Which Humanloop API the logs go to: v4 (`POST /logs`, in batches) or v5 (a log per request, filed by path). */
export type ApiVersion = 'v4' | 'v5';

export interface HumanloopSpanExporterOptions {
  /** Humanloop API key, sent as `X-API-KEY`. Default: env `HUMANLOOP_API_KEY`. */
  apiKey?: string;
  /** Default: env `HUMANLOOP_API_VERSION`, else `v4`. */
  api?: ApiVersion;
  /**
   * Default: env `HUMANLOOP_BASE_URL`, else the local log server on this machine,
   * `http://127.0.0.1:8787/v4` (or `/v5`): Humanloop's hosted API closed in September 2025.
   */
  baseUrl?: string;
  /**
   * v5: the path of the Humanloop file a log goes to. Default: the project, then the name of the
   * prompt (an LLM call's function name, else its model), tool, agent or workflow.
   */
  path?: (log: LogRequest, span: ReadableSpan) => string;
  /** Default: env `HUMANLOOP_PROJECT`, else the resource's `service.name`, else `default`. */
  project?: string;
  /** `LogRequest.source`. Default: the resource's `service.name`. */
  source?: string;
  /** `LogRequest.environment`. Default: env `HUMANLOOP_ENVIRONMENT`, else the resource's `deployment.environment.name`. */
  environment?: string;
  /** false: no messages, output, inputs or tool arguments leave the process. Default true. */
  captureContent?: boolean;
  /** Last look at each log: return it (changed or not), or null to drop it. A throw drops the log. */
  redact?: (log: LogRequest, span: ReadableSpan) => LogRequest | null;
  /** Which spans become logs. Default: the LLM span classifier. */
  spanFilter?: (span: ReadableSpan) => boolean;
  /** Most logs in one request. Default 500. */
  maxBatchSize?: number;
  /** Most bytes in one request body. Default 1 MiB. */
  maxBatchBytes?: number;
  /** One request's timeout. Default 10 000. */
  timeoutMillis?: number;
  /** Deadline of one `export()` including retries. Default 25 000. */
  exportTimeoutMillis?: number;
  /** Requests in flight at once. Default 8 (v4), 16 (v5, a log per request). */
  maxConcurrentRequests?: number;
  /** How long a log may wait for its parent span to end. Default 10 000. */
  parentWaitMillis?: number;
  /**
   * With HumanloopSpanProcessor: log a parent (agent, workflow, tool...) as soon as its first child
   * that will be logged starts, and complete it when it ends, so that a flush takes one round trip
   * at any depth. false: log a parent whole when it ends (its children wait for it). Default true.
   */
  openParentsEarly?: boolean;
  /** Most logs held while they wait for their parent's log (the oldest whose wait may last go first, as roots). Default 10 000. */
  maxWaitingLogs?: number;
  /** Most spans remembered for linking (ended ones and, with the processor, running ones). Default 100 000. */
  maxTrackedSpans?: number;
  /** Most bytes of logs kept through an outage, for later exports. Default 64 MiB. */
  maxBufferedBytes?: number;
  /** Oldest a kept log may get before it is dropped. Default 15 minutes. */
  maxBufferAgeMillis?: number;
  /** A directory where logs still undelivered at shutdown are written, for the next process to send. */
  spoolDir?: string;
  /** Your own undici dispatcher (proxy, TLS). The exporter closes only a dispatcher it created. */
  dispatcher?: Dispatcher;
  /** Allow plain `http://` to a host other than loopback (the API key would travel unencrypted). */
  allowInsecureHttp?: boolean;
}

export interface ResolvedConfig {
  apiKey: string | undefined;
  /** Set when the exporter cannot run (no API key, an unusable HUMANLOOP_BASE_URL): every export fails with it. */
  unusable: string | undefined;
  api: ApiVersion;
  /** The API's base URL, e.g. `https://humanloop.internal.example.com/v4`. */
  baseUrl: URL;
  /** No base URL was given: logs go to the local log server's address on loopback. */
  baseUrlIsDefault: boolean;
  path: HumanloopSpanExporterOptions['path'];
  /** From HUMANLOOP_LOG_LEVEL or OTEL_LOG_LEVEL: diagnostics go to the console at this level when no logger is set. */
  logLevel: DiagLogLevel | undefined;
  project: string | undefined;
  source: string | undefined;
  environment: string | undefined;
  captureContent: boolean;
  redact: HumanloopSpanExporterOptions['redact'];
  spanFilter: HumanloopSpanExporterOptions['spanFilter'];
  maxBatchSize: number;
  maxBatchBytes: number;
  timeoutMillis: number;
  exportTimeoutMillis: number;
  maxConcurrentRequests: number;
  parentWaitMillis: number;
  openParentsEarly: boolean;
  maxWaitingLogs: number;
  maxTrackedSpans: number;
  maxBufferedBytes: number;
  maxBufferAgeMillis: number;
  spoolDir: string | undefined;
  dispatcher: Dispatcher | undefined;
}

export type HumanloopEnvVar =
  | 'HUMANLOOP_API_KEY'
  | 'HUMANLOOP_API_VERSION'
  | 'HUMANLOOP_BASE_URL'
  | 'HUMANLOOP_PROJECT'
  | 'HUMANLOOP_ENVIRONMENT'
  | 'HUMANLOOP_LOG_LEVEL'
  | 'OTEL_LOG_LEVEL'
  | 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT';

export type Environment = Partial<Record<HumanloopEnvVar, string | undefined>>;

/** The port `humanloop-log-server serve` listens on by default, where logs go by default. */
export const LOCAL_SERVER_PORT = 8787;
export const DEFAULT_BASE_URL = `http://127.0.0.1:${LOCAL_SERVER_PORT}/v4`;
export const DEFAULT_V5_BASE_URL = `http://127.0.0.1:${LOCAL_SERVER_PORT}/v5`;

const DEFAULTS = {
  maxBatchSize: 500,
  maxBatchBytes: 1024 * 1024,
  timeoutMillis: 10_000,
  exportTimeoutMillis: 25_000,
  maxConcurrentRequests: 8,
  maxConcurrentRequestsV5: 16,
  parentWaitMillis: 10_000,
  maxWaitingLogs: 10_000,
  maxTrackedSpans: 100_000,
  maxBufferedBytes: 64 * 1024 * 1024,
  maxBufferAgeMillis: 15 * 60 * 1000,
} as const;

/** Thrown at construction for options given in code that cannot work. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/**
 * Why an exporter built with these options (over the environment) could send nothing, or undefined
 * when it could: no API key, an unknown API version, an unusable base URL. A server that forwards
 * spans checks it before it listens. Options that cannot work at all throw ConfigurationError.
 */
export function configurationProblem(options: HumanloopSpanExporterOptions = {}): string | undefined {
  return resolveConfig(options).unusable;
}

/** Options over environment over defaults, validated once. The only reader of `process.env`. */
export function resolveConfig(
  options: HumanloopSpanExporterOptions = {},
  env: Environment = process.env,
): ResolvedConfig {
  const key = resolveApiKey(options.apiKey, env);
  const api = resolveApi(options.api, env);
  const baseUrl = resolveBaseUrl(options, env, api.version);
  return {
    apiKey: key.apiKey,
    unusable: key.problem ?? api.problem ?? baseUrl.problem,
    logLevel: resolveLogLevel(env),
    api: api.version,
    baseUrl: baseUrl.url,
    baseUrlIsDefault: baseUrl.isDefault === true,
    path: optionalFunction('path', options.path),
    project: optionalString('project', options.project) ?? nonEmpty(env.HUMANLOOP_PROJECT),
    source: optionalString('source', options.source),
    environment: optionalString('environment', options.environment) ?? nonEmpty(env.HUMANLOOP_ENVIRONMENT),
    captureContent: resolveCaptureContent(options.captureContent, env),
    redact: optionalFunction('redact', options.redact),
    spanFilter: optionalFunction('spanFilter', options.spanFilter),
    maxBatchSize: positiveInteger('maxBatchSize', options.maxBatchSize, DEFAULTS.maxBatchSize),
    maxBatchBytes: positiveInteger('maxBatchBytes', options.maxBatchBytes, DEFAULTS.maxBatchBytes),
    timeoutMillis: positiveInteger('timeoutMillis', options.timeoutMillis, DEFAULTS.timeoutMillis),
    exportTimeoutMillis: positiveInteger(
      'exportTimeoutMillis',
      options.exportTimeoutMillis,
      DEFAULTS.exportTimeoutMillis,
    ),
    maxConcurrentRequests: positiveInteger(
      'maxConcurrentRequests',
      options.maxConcurrentRequests,
      api.version === 'v5' ? DEFAULTS.maxConcurrentRequestsV5 : DEFAULTS.maxConcurrentRequests,
    ),
    parentWaitMillis: nonNegativeInteger('parentWaitMillis', options.parentWaitMillis, DEFAULTS.parentWaitMillis),
    openParentsEarly: optionalBoolean('openParentsEarly', options.openParentsEarly, true),
    maxWaitingLogs: nonNegativeInteger('maxWaitingLogs', options.maxWaitingLogs, DEFAULTS.maxWaitingLogs),
    maxTrackedSpans: positiveInteger('maxTrackedSpans', options.maxTrackedSpans, DEFAULTS.maxTrackedSpans),
    maxBufferedBytes: nonNegativeInteger('maxBufferedBytes', options.maxBufferedBytes, DEFAULTS.maxBufferedBytes),
    maxBufferAgeMillis: nonNegativeInteger('maxBufferAgeMillis', options.maxBufferAgeMillis, DEFAULTS.maxBufferAgeMillis),
    spoolDir: optionalString('spoolDir', options.spoolDir),
    dispatcher: options.dispatcher,
  };
}

const NO_API_KEY = 'No Humanloop API key: pass the apiKey option or set the HUMANLOOP_API_KEY environment variable';
// What an HTTP header value cannot carry (undici refuses it): control characters and anything past Latin-1.
// eslint-disable-next-line no-control-regex -- control characters are what a header cannot hold
const NOT_IN_A_HEADER = /[\u0000-\u001f\u007f-\u009f\u0100-\uffff]/;
const KEY_PROBLEM = 'holds a character that cannot be sent in an HTTP header (a line break or other control character, or one outside Latin-1)';

/**
 * The API key, with the whitespace around it trimmed (keys read from files and secret managers
 * often end in a line break). One that still holds a character no header can carry throws when
 * given in code, and stops the exporter when it comes from the environment; neither message quotes it.
 */
function resolveApiKey(option: string | undefined, env: Environment): { apiKey: string | undefined; problem?: string } {
  const fromOption = typeof option === 'string' ? option.trim() : undefined;
  if (fromOption) {
    if (NOT_IN_A_HEADER.test(fromOption)) throw new ConfigurationError(`The apiKey option ${KEY_PROBLEM}`);
    return { apiKey: fromOption };
  }
  const fromEnv = env.HUMANLOOP_API_KEY?.trim();
  if (!fromEnv) return { apiKey: undefined, problem: NO_API_KEY };
  if (NOT_IN_A_HEADER.test(fromEnv)) return { apiKey: undefined, problem: `HUMANLOOP_API_KEY ${KEY_PROBLEM}; nothing is sent` };
  return { apiKey: fromEnv };
}

/** The API version; an unknown one in the environment stops the exporter rather than guess where logs go. */
function resolveApi(option: ApiVersion | undefined, env: Environment): { version: ApiVersion; problem?: string } {
  if (option !== undefined) {
    if (option !== 'v4' && option !== 'v5') throw new ConfigurationError(`api must be 'v4' or 'v5', got ${String(option)}`);
    return { version: option };
  }
  const raw = nonEmpty(env.HUMANLOOP_API_VERSION)?.trim().toLowerCase();
  if (raw === undefined || raw === 'v4' || raw === 'v5') return { version: raw ?? 'v4' };
  return { version: 'v4', problem: 'Invalid HUMANLOOP_API_VERSION: expected v4 or v5; nothing is sent' };
}

/**
 * Where logs go. A bad `baseUrl` option throws; a bad HUMANLOOP_BASE_URL is a `problem` that
 * stops the exporter, rather than send prompts and the key somewhere the user did not point them.
 */
function resolveBaseUrl(options: HumanloopSpanExporterOptions, env: Environment, api: ApiVersion): { url: URL; isDefault?: boolean; problem?: string } {
  const insecure = options.allowInsecureHttp === true;
  const fallback = new URL(api === 'v5' ? DEFAULT_V5_BASE_URL : DEFAULT_BASE_URL);
  if (options.baseUrl !== undefined) {
    const problem = baseUrlProblem(options.baseUrl, insecure);
    if (problem) throw new ConfigurationError(`Invalid baseUrl option: ${problem}`);
    return { url: withoutTrailingSlash(options.baseUrl) };
  }
  const fromEnv = nonEmpty(env.HUMANLOOP_BASE_URL);
  const problem = fromEnv === undefined ? undefined : baseUrlProblem(fromEnv, insecure);
  if (problem) return { url: fallback, problem: `Invalid HUMANLOOP_BASE_URL: ${problem}; nothing is sent` };
  return fromEnv === undefined ? { url: fallback, isDefault: true } : { url: withoutTrailingSlash(fromEnv) };
}

function withoutTrailingSlash(base: string): URL {
  const url = new URL(base);
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}

const LOG_LEVELS: Record<string, DiagLogLevel> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

function resolveLogLevel(env: Environment): DiagLogLevel | undefined {
  for (const name of ['HUMANLOOP_LOG_LEVEL', 'OTEL_LOG_LEVEL'] as const) {
    const raw = env[name]?.trim().toLowerCase();
    if (!raw) continue;
    if (raw in LOG_LEVELS) return LOG_LEVELS[raw];
    misconfigured(`Ignoring ${name}: expected one of ${Object.keys(LOG_LEVELS).join(', ')}`);
  }
  return undefined;
}

function baseUrlProblem(raw: string, allowInsecure: boolean): string | undefined {
  if (typeof raw !== 'string') return 'it must be a string';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'it is not an absolute URL (expected e.g. https://humanloop.example.com/v4)';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return `the protocol must be https: or http:, not ${url.protocol}`;
  }
  if (url.username || url.password) return 'it must not contain credentials';
  if (url.search || url.hash) return 'it must not have a query or fragment';
  if (url.protocol === 'http:' && !allowInsecure && !isLoopbackHost(url.hostname)) {
    return `plain http:// to ${url.hostname} would send the API key unencrypted; use https:// or set allowInsecureHttp`;
  }
  return undefined;
}

function resolveCaptureContent(option: boolean | undefined, env: Environment): boolean {
  if (option !== undefined) {
    if (typeof option !== 'boolean') throw new ConfigurationError('captureContent must be a boolean');
    return option;
  }
  const raw = env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'true') return true;
  if (raw === 'false') return false;
  misconfigured('Ignoring OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: expected true or false; content is captured');
  return true;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigurationError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function nonNegativeInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ConfigurationError(`${name} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

function optionalBoolean(name: string, value: boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigurationError(`${name} must be a boolean`);
  return value;
}

function optionalString(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigurationError(`${name} must be a non-empty string`);
  }
  return value;
}

function optionalFunction<T>(name: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new ConfigurationError(`${name} must be a function`);
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
