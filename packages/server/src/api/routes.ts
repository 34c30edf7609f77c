import { createHash, timingSafeEqual } from 'node:crypto';
import { MAX_PAGE_SIZE, type FeedbackCreate, type LogStorage, type V4Create } from '../store/types.js';
import type { JsonParse } from './http-body.js';
import { readCursorQuery } from './list-query.js';
import { knownV4Logs } from './lookups.js';
import { pagedOrRefused, readTotals, readTrace } from './read-routes.js';
import { decodeSegment, detail, invalidBody, jsonBody, pathOf, unprocessable, type Reply } from './replies.js';
import { asStoredLog, type StoredLog } from './stored-logs.js';
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
  store: LogStorage;
  /** When set, `X-API-KEY` must equal it; otherwise any non-empty key will do. */
  apiKey: string | undefined;
  /** Told of each log stored, with a copy. */
  onStored?: (log: StoredLog) => void;
  /** Told of each log a PATCH changed, with a copy. */
  onUpdated?: (log: StoredLog) => void;
  /** The v5 API's listeners. */
  v5: Omit<V5Context, 'store'>;
}

/** A stored log as `GET` and `PATCH` answer it: what was sent, plus the ids. */
export type WireLog = Omit<StoredLog, 'request_index'>;

interface Target {
  id: string | undefined;
  referenceId: string | undefined;
  /** `GET /logs/{id}/trace`. */
  trace: boolean;
}

// The base URL handed out ends in /v4, as Humanloop's does; bare /logs is accepted too.
const LOGS_PATH = /^(?:\/v4)?\/logs(?:\/([^/]+)(\/trace)?)?$/;
const TOTALS_PATH = /^(?:\/v4)?\/totals$/;
/** `GET /v4/logs` answers the oldest first, up to MAX_PAGE_SIZE at once: the next page's cursor is in this header. */
export const NEXT_CURSOR_HEADER = 'x-next-cursor';
const V5_PATH = /^\/v5(?:\/|$)/;
const FEEDBACK_PATH = /^(?:\/v4)?\/feedback$/;

/**
 * Answers one request of the log API: the v5 API under `/v5`, the v4 API elsewhere. The key
 * is checked alike for both, before the path is looked at: a GET from this machine may come
 * without one (so a browser can read), a wrong key is refused all the same.
 */
export async function answerApiRequest(request: ApiRequest, context: ApiContext): Promise<Reply> {
  const readsLocally = request.method === 'GET' && request.loopbackPeer && !request.apiKey;
  if (!readsLocally && !authorized(request.apiKey, context.apiKey)) return detail(401, 'missing or invalid X-API-KEY');
  const path = pathOf(request.target);
  if (V5_PATH.test(path)) return answerV5Request(request, path, { ...context.v5, store: context.store });
  return answerV4Request(request, context);
}

async function answerV4Request(request: ApiRequest, context: ApiContext): Promise<Reply> {
  const path = pathOf(request.target);
  if (FEEDBACK_PATH.test(path)) return request.method === 'POST' ? giveFeedback(request, context) : detail(405, 'method not allowed');
  if (TOTALS_PATH.test(path)) return request.method === 'GET' ? readTotals('v4', request.target, context.store) : detail(405, 'method not allowed');
  const target = parseTarget(request.target);
  if (!target) return detail(404, 'not found');
  if (target.trace) return request.method === 'GET' ? readTrace('v4', target.id ?? '', context.store) : detail(405, 'method not allowed');
  switch (request.method) {
    case 'POST':
      return target.id === undefined ? createLogs(request, context) : detail(405, 'method not allowed');
    case 'PATCH':
      return updateLog(request, target, context);
    case 'GET':
      return readLogs(request.target, target, context.store);
    default:
      return detail(405, 'method not allowed');
  }
}

async function createLogs(request: ApiRequest, { store, onStored }: ApiContext): Promise<Reply> {
  const body = jsonBody(request);
  if (!body.ok) return invalidBody(body.msg);
  const known = await knownV4Logs(store, body.value, { references: ['parent_reference_id'], ids: ['parent_id', 'trace_parent_id'] });
  const errors = validateLogBody(body.value, known);
  if (errors.length > 0) return { status: 422, body: { detail: errors } };
  // Validated above: every item is a LogRequest.
  const items = (Array.isArray(body.value) ? body.value : [body.value]) as V4Create[];
  const created = await store.addV4(items, request.index);
  // The log as stored: the item with the ids it was given (the store keeps it so).
  if (onStored) created.forEach((ids, at) => onStored(structuredClone({ ...items[at], ...ids, request_index: request.index }) as StoredLog));
  return { status: 200, body: Array.isArray(body.value) ? created : created[0] };
}

/** `POST /feedback`: feedback on stored logs, kept on each log; answered in the order given. */
async function giveFeedback(request: ApiRequest, { store, onUpdated }: ApiContext): Promise<Reply> {
  const body = jsonBody(request);
  if (!body.ok) return invalidBody(body.msg);
  const errors = validateFeedbackBody(body.value, await knownV4Logs(store, body.value, { references: [], ids: ['data_id'] }));
  if (errors.length > 0) return unprocessable(errors);
  // Validated above: FeedbackRequests, each on a stored log.
  const items = (Array.isArray(body.value) ? body.value : [body.value]) as FeedbackCreate[];
  const given = await store.addFeedback(items);
  for (const { log } of given) onUpdated?.(asStoredLog(log));
  const answers = given.map(({ feedback }) => feedback);
  return { status: 200, body: Array.isArray(body.value) ? answers : answers[0] };
}

async function updateLog(request: ApiRequest, target: Target, { store, onUpdated }: ApiContext): Promise<Reply> {
  if (target.id === undefined && target.referenceId === undefined) {
    const missing: ValidationError = { loc: ['query', 'reference_id'], msg: 'field required', type: 'value_error.missing' };
    return { status: 422, body: { detail: [missing] } };
  }
  const body = jsonBody(request);
  if (!body.ok) return invalidBody(body.msg);
  const errors = validateUpdate(body.value);
  if (errors.length > 0) return { status: 422, body: { detail: errors } };
  // Validated above: an object with only output, error and duration.
  const changed = await store.updateV4(target, body.value as Record<string, unknown>);
  if (!changed) return detail(404, 'no log with that id or reference_id');
  const updated = asStoredLog(changed);
  onUpdated?.(structuredClone(updated));
  return { status: 200, body: toWire(updated) };
}

async function readLogs(requestTarget: string, target: Target, store: LogStorage): Promise<Reply> {
  if (target.id !== undefined) {
    const record = await store.get('v4', target.id);
    return record ? { status: 200, body: toWire(asStoredLog(record.log)) } : detail(404, 'no log with that id');
  }
  const read = readCursorQuery(requestTarget, 'v4', { limit: MAX_PAGE_SIZE, order: 'oldest' });
  if (!read.ok) return unprocessable(read.errors);
  const page = await pagedOrRefused(() => store.list(read.value));
  if ('status' in page) return page;
  const headers = page.next === undefined ? undefined : { [NEXT_CURSOR_HEADER]: page.next };
  return { status: 200, body: page.logs.map(({ log }) => toWire(asStoredLog(log))), headers };
}

function parseTarget(target: string): Target | undefined {
  const queryAt = target.indexOf('?');
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  const match = LOGS_PATH.exec(path);
  if (!match) return undefined;
  const id = match[1] === undefined ? undefined : decodeSegment(match[1]);
  if (id === null) return undefined;
  const query = new URLSearchParams(queryAt === -1 ? '' : target.slice(queryAt + 1));
  return { id, referenceId: query.get('reference_id') ?? undefined, trace: match[2] !== undefined };
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
