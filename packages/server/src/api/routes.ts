import { createHash, timingSafeEqual } from 'node:crypto';
import type { LogRequest } from 'humanloop-otel-exporter';
import type { JsonParse } from './http-body.js';
import type { LogStore, StoredLog } from './log-store.js';
import { decodeSegment, detail, invalidBody, jsonBody, pathOf, unprocessable, type Reply } from './replies.js';
import { answerV5Request, type V5Context } from './v5-routes.js';
import { validateFeedbackBody, validateLogBody, validateUpdate, type ValidationError } from './validate.js';

/** What the log API needs of a request whose body has been read. */
export interface ApiRequest {
  method: string;
  /** The request target as sent: path and query. */
  target: string;
  apiKey: string | undefined;
  /** The request came from this machine: it may read without a key. */
  loopbackPeer: boolean;
  contentType: string | undefined;
  body: JsonParse;
  /** Which request this is, recorded on the logs it stores. */
  index: number;
}

export interface ApiContext {
  store: LogStore;
  /** When set, `X-API-KEY` must equal it; otherwise any non-empty key will do. */
  apiKey: string | undefined;
  /** Told of each log stored, with a copy. */
  onStored?: (log: StoredLog) => void;
  /** Told of each log a PATCH changed, with a copy. */
  onUpdated?: (log: StoredLog) => void;
  /** The v5 API's logs, files and listener. */
  v5: V5Context;
}

/** A stored log as `GET` and `PATCH` answer it: what was sent, plus the ids. */
export type WireLog = Omit<StoredLog, 'request_index'>;

interface Target {
  id: string | undefined;
  referenceId: string | undefined;
}

// The base URL handed out ends in /v4, as Humanloop's does; bare /logs is accepted too.
const LOGS_PATH = /^(?:\/v4)?\/logs(?:\/([^/]+))?$/;
const V5_PATH = /^\/v5(?:\/|$)/;
const FEEDBACK_PATH = /^(?:\/v4)?\/feedback$/;

/**
 * Answers one request of the log API: the v5 API under `/v5`, the v4 API elsewhere. The key
 * is checked alike for both, before the path is looked at: a GET from this machine may come
 * without one (so a browser can read), a wrong key is refused all the same.
 */
export function answerApiRequest(request: ApiRequest, context: ApiContext): Reply {
  const readsLocally = request.method === 'GET' && request.loopbackPeer && !request.apiKey;
  if (!readsLocally && !authorized(request.apiKey, context.apiKey)) return detail(401, 'missing or invalid X-API-KEY');
  const path = pathOf(request.target);
  if (V5_PATH.test(path)) return answerV5Request(request, path, context.v5);
  return answerV4Request(request, context);
}

function answerV4Request(request: ApiRequest, context: ApiContext): Reply {
  if (FEEDBACK_PATH.test(pathOf(request.target))) return request.method === 'POST' ? giveFeedback(request, context) : detail(405, 'method not allowed');
  const target = parseTarget(request.target);
  if (!target) return detail(404, 'not found');
  switch (request.method) {
    case 'POST':
      return target.id === undefined ? createLogs(request, context) : detail(405, 'method not allowed');
    case 'PATCH':
      return updateLog(request, target, context);
    case 'GET':
      return readLogs(target, context.store);
    default:
      return detail(405, 'method not allowed');
  }
}

function createLogs(request: ApiRequest, context: ApiContext): Reply {
  const body = jsonBody(request);
  if (!body.ok) return invalidBody(body.msg);
  const errors = validateLogBody(body.value, context.store);
  if (errors.length > 0) return { status: 422, body: { detail: errors } };
  // Validated above: every item is a LogRequest.
  const items = (Array.isArray(body.value) ? body.value : [body.value]) as LogRequest[];
  const created = items.map((item) => context.store.add(item, request.index));
  const { onStored } = context;
  if (onStored) for (const { id } of created) notify(context.store, id, onStored);
  return { status: 200, body: Array.isArray(body.value) ? created : created[0] };
}

/** `POST /feedback`: feedback on stored logs, kept on each log; answered in the order given. */
function giveFeedback(request: ApiRequest, { store, onUpdated }: ApiContext): Reply {
  const body = jsonBody(request);
  if (!body.ok) return invalidBody(body.msg);
  const errors = validateFeedbackBody(body.value, store);
  if (errors.length > 0) return unprocessable(errors);
  // Validated above: FeedbackRequests, each on a stored log.
  const items = (Array.isArray(body.value) ? body.value : [body.value]) as Array<Parameters<LogStore['addFeedback']>[0]>;
  const given = items.flatMap((item) => store.addFeedback(item) ?? []);
  for (const { log } of given) onUpdated?.(log);
  const answers = given.map(({ feedback }) => feedback);
  return { status: 200, body: Array.isArray(body.value) ? answers : answers[0] };
}

function updateLog(request: ApiRequest, target: Target, { store, onUpdated }: ApiContext): Reply {
  if (target.id === undefined && target.referenceId === undefined) {
    const missing: ValidationError = { loc: ['query', 'reference_id'], msg: 'field required', type: 'value_error.missing' };
    return { status: 422, body: { detail: [missing] } };
  }
  const body = jsonBody(request);
  if (!body.ok) return invalidBody(body.msg);
  const errors = validateUpdate(body.value);
  if (errors.length > 0) return { status: 422, body: { detail: errors } };
  // Validated above: an object with only output, error and duration.
  const updated = store.update(target.id, target.referenceId, body.value as Record<string, unknown>);
  if (!updated) return detail(404, 'no log with that id or reference_id');
  onUpdated?.(structuredClone(updated));
  return { status: 200, body: toWire(updated) };
}

function readLogs(target: Target, store: LogStore): Reply {
  if (target.id === undefined) return { status: 200, body: store.all().map(toWire) };
  const log = store.get(target.id);
  return log ? { status: 200, body: toWire(log) } : detail(404, 'no log with that id');
}

function notify(store: LogStore, id: string, onStored: (log: StoredLog) => void): void {
  const stored = store.get(id);
  if (stored) onStored(stored);
}

function parseTarget(target: string): Target | undefined {
  const queryAt = target.indexOf('?');
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  const match = LOGS_PATH.exec(path);
  if (!match) return undefined;
  const id = match[1] === undefined ? undefined : decodeSegment(match[1]);
  if (id === null) return undefined;
  const query = new URLSearchParams(queryAt === -1 ? '' : target.slice(queryAt + 1));
  return { id, referenceId: query.get('reference_id') ?? undefined };
}

export function authorized(given: string | undefined, expected: string | undefined): boolean {
  if (given === undefined || given === '') return false;
  if (expected === undefined) return true;
  // Digests have the equal lengths timingSafeEqual needs, and the comparison takes constant time.
  return timingSafeEqual(digest(given), digest(expected));
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function toWire({ request_index: _index, ...log }: StoredLog): WireLog {
  return log;
}
