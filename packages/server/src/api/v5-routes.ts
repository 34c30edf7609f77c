/** Humanloop's v5 log endpoints, under `/v5`: one log per request, per file type. */
import { LogIdTakenError, type LogStorage } from '../store/types.js';
import { knownForJudgment, knownForV5Create, v5Log } from './lookups.js';
import { decodeSegment, detail, invalidBody, jsonBody, unprocessable, type Reply } from './replies.js';
import type { ApiRequest } from './routes.js';
import type { StoredV5Log } from './stored-logs.js';
import { checkEvaluatorLog } from './v5-evaluators.js';
import { typeOfSegment, type V5FileType } from './v5-kinds.js';
import { pageOfLogs, readLogQuery } from './v5-log-query.js';
import { pagedOrRefused, readTotals, readTrace } from './read-routes.js';
import { readV5 } from './v5-reader.js';
import { createResponse, logResponse } from './v5-responses.js';
import { checkCreate, checkUpdate, updateBodyErrors } from './v5-validate.js';

export interface V5Context {
  store: LogStorage;
  /** Told of each log stored, with a copy. */
  onStored?: (log: StoredV5Log) => void;
  /** Told of each log an update changed, with a copy. */
  onUpdated?: (log: StoredV5Log) => void;
}

type Route =
  | { action: 'create'; type: V5FileType }
  /** `fileId` is undefined for flows, whose update URL names only the log. */
  | { action: 'update'; type: V5FileType; fileId: string | undefined; logId: string }
  /** `POST /v5/evaluators/log`: a judgement of a stored log. */
  | { action: 'evaluate' }
  | { action: 'list' }
  | { action: 'read'; id: string }
  /** This server's own reads: a log's trace, and counts and token sums. */
  | { action: 'trace'; id: string }
  | { action: 'totals' };

const METHODS: Readonly<Record<Route['action'], string>> = { create: 'POST', update: 'PATCH', evaluate: 'POST', list: 'GET', read: 'GET', trace: 'GET', totals: 'GET' };

/** Answers one request whose path starts with `/v5`; the API key has been checked. */
export async function answerV5Request(request: ApiRequest, path: string, context: V5Context): Promise<Reply> {
  const route = parseRoute(path);
  if (!route) return detail(404, 'not found');
  if (request.method !== METHODS[route.action]) return detail(405, 'method not allowed');
  switch (route.action) {
    case 'create':
      return createLog(request, route.type, context);
    case 'update':
      return updateLog(request, route, context);
    case 'evaluate':
      return createEvaluatorLog(request, context);
    case 'list':
      return listLogs(request, context.store);
    case 'read':
      return readLog(route.id, context.store);
    case 'trace':
      return readTrace('v5', route.id, context.store);
    case 'totals':
      return readTotals('v5', request.target, context.store);
  }
}

/** A log with its trace children, or a judgment as it is kept. */
async function readLog(id: string, store: LogStorage): Promise<Reply> {
  const log = (await v5Log(store, id)) as StoredV5Log | undefined;
  if (log) return { status: 200, body: logResponse(log, await readV5(store, [log], true), true) };
  const judged = await store.evaluatorLog(id);
  if (!judged) return detail(404, 'no log with that id');
  const { request_index: _index, ...answer } = judged;
  return { status: 200, body: answer };
}

/** Humanloop's paginated list (`records`, `page`, `size`, `total`), oldest first, filtered by the query. */
async function listLogs(request: ApiRequest, store: LogStorage): Promise<Reply> {
  const read = readLogQuery(request.target);
  if (!read.ok) return unprocessable(read.errors);
  const { query } = read;
  const listed = await pagedOrRefused(() => pageOfLogs(store, query));
  if ('status' in listed) return listed;
  const { records, total, nextCursor } = listed;
  const reader = await readV5(store, records, query.includeTraceChildren);
  const answered = records.map((log) => logResponse(log, reader, query.includeTraceChildren));
  const next = nextCursor === undefined ? {} : { next_cursor: nextCursor };
  return { status: 200, body: { records: answered, page: query.page, size: query.size, total, ...next } };
}

async function createLog(request: ApiRequest, type: V5FileType, context: V5Context): Promise<Reply> {
  const body = jsonBody(request);
  if (!body.ok) return invalidBody(body.msg);
  const checked = checkCreate(type, body.value, await knownForV5Create(context.store, body.value));
  if (!checked.ok) return unprocessable(checked.errors);
  const added = await unlessTaken(() => context.store.addV5(checked.value, request.index));
  if ('status' in added) return added;
  const { log, widened } = added;
  const stored = log as StoredV5Log;
  context.onStored?.(structuredClone(stored));
  // A flow or agent whose end moved with this log's is an updated log too.
  for (const ancestor of widened) context.onUpdated?.(ancestor as StoredV5Log);
  return { status: 200, body: createResponse(stored) };
}

/** An evaluator log, kept on the log it judges (which is an updated log for the listeners). */
async function createEvaluatorLog(request: ApiRequest, { store, onUpdated }: V5Context): Promise<Reply> {
  const body = jsonBody(request);
  if (!body.ok) return invalidBody(body.msg);
  const checked = checkEvaluatorLog(body.value, await knownForJudgment(store, body.value));
  if (!checked.ok) return unprocessable(checked.errors);
  const added = await unlessTaken(() => store.addEvaluatorLog(checked.value));
  if (added && 'status' in added) return added;
  if (!added) return unprocessable([{ loc: ['body', 'parent_id'], msg: 'names no stored log', type: 'value_error.parent_unknown' }]);
  onUpdated?.(added.parent as StoredV5Log);
  const { log } = added;
  return { status: 200, body: { id: log.id, parent_id: log.parent_id, version_id: log.version_id, session_id: null } };
}

/** What the store wrote, or the 422 validation gives a taken `log_id` when another write took it after the lookup. */
async function unlessTaken<T>(write: () => Promise<T>): Promise<T | Reply> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof LogIdTakenError)) throw error;
    return unprocessable([{ loc: ['body', 'log_id'], msg: 'a log with this id exists', type: 'value_error.log_id_taken' }]);
  }
}

/** The update answers the log as the API's log response (its trace children are read with `GET /v5/logs/{id}`). */
async function updateLog(request: ApiRequest, route: Extract<Route, { action: 'update' }>, { store, onUpdated }: V5Context): Promise<Reply> {
  const body = jsonBody(request);
  if (!body.ok) return invalidBody(body.msg);
  const errors = updateBodyErrors(route.type, body.value);
  if (errors.length > 0) return unprocessable(errors);
  const log = (await v5Log(store, route.logId)) as StoredV5Log | undefined;
  const matches = log?.type === route.type && (route.fileId === undefined || log.file_id === route.fileId);
  if (!log || !matches) return detail(404, `no ${route.type} log with that id${route.fileId ? ' in that file' : ''}`);
  // The schema says the body is an object.
  const checked = checkUpdate(log, body.value as Record<string, unknown>);
  if (!checked.ok) return unprocessable(checked.errors);
  const updated = (await store.updateV5(log.id, checked.value)) as StoredV5Log | undefined;
  if (!updated) return detail(404, 'no log with that id');
  onUpdated?.(structuredClone(updated));
  return { status: 200, body: logResponse(updated, await readV5(store, [updated], false), false) };
}

/**
 * `/v5/<type>s/log`, `/v5/<type>s/<file id>/log/<log id>`, `/v5/flows/logs/<log id>` (flow
 * updates name no file), `/v5/logs` and `/v5/logs/<id>`; undefined for anything else.
 */
function parseRoute(path: string): Route | undefined {
  const segments = path.split('/').slice(2).map(decodeSegment);
  if (segments.some((segment) => segment === null || segment === '')) return undefined;
  const [first, second, third, fourth] = segments as string[];
  if (first === 'evaluators' && second === 'log' && segments.length === 2) return { action: 'evaluate' };
  if (first === 'logs' && segments.length <= 2) return second === undefined ? { action: 'list' } : { action: 'read', id: second };
  if (first === 'logs' && segments.length === 3 && second !== undefined && third === 'trace') return { action: 'trace', id: second };
  if (first === 'totals' && segments.length === 1) return { action: 'totals' };
  const type = typeOfSegment(first);
  if (type === undefined || second === undefined) return undefined;
  if (segments.length === 2 && second === 'log') return { action: 'create', type };
  if (type === 'flow') {
    return segments.length === 3 && second === 'logs' && third !== undefined
      ? { action: 'update', type, fileId: undefined, logId: third }
      : undefined;
  }
  if (segments.length === 4 && third === 'log' && fourth !== undefined) return { action: 'update', type, fileId: second, logId: fourth };
  return undefined;
}
