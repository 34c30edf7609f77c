import type { LogRequest } from '../log-request.js';
import type { Link } from '../trace/linker.js';
import type { CreatedLog, Dialect, OutgoingLog, UnlinkedLog, WireRequest } from './dialect.js';
import { encodeJson } from './encoding.js';
import { encodeLog } from './log-json.js';
import { completedLog, isRecord, withoutFields, type FieldRules } from './json-edits.js';
import { readRefusals } from './refusals.js';
import { completionBody, createBody, isV5Route, routeOf, type V5Route } from './v5-body.js';

/** The link field, and what a log cannot go without (its file and its kernel). */
const V5_FIELDS: FieldRules = { parentFields: ['trace_parent_id'], requiredFields: new Set(['path', 'prompt', 'tool', 'flow']) };

/** The file id each create answer names, by route. */
const FILE_ID: Record<V5Route, string> = { prompts: 'prompt_id', tools: 'tool_id', flows: 'flow_id' };

/**
 * Humanloop's v5 API: one log per request, to the endpoint of its kind of file (`POST
 * {base}/prompts/log`, `/tools/log`, `/flows/log`), filed by path; a log names its parent by the
 * id the parent's create returned (`trace_parent_id`); a flow that takes children is created
 * `incomplete` and completed once they are logged (`PATCH {base}/flows/logs/{id}`), a prompt or
 * tool log opened while its span ran by `PATCH {base}/prompts/{file id}/log/{id}` (or `/tools/`).
 */
export function v5Dialect(baseUrl: URL): Dialect {
  return {
    maxLogsPerRequest: 1,
    completesAfterChildren: true,
    encodeCompletion: (log) => encodeJson(completionBody(log)),
    link: linkV5,
    createRequest: ([item]) => ({ method: 'POST', url: endpoint(baseUrl, `${item.route ?? 'flows'}/log`), body: Buffer.concat(item.parts) }),
    completeRequest: (item) => completeRequest(baseUrl, item),
    created: (body, [item]) => [createdLog(body, item.route)],
    refusals: (body, batch) => readRefusals(body, batch.length, false),
    withoutFields: (item, fields) => withoutFields(item, fields, V5_FIELDS),
    completed: completedLog,
  };
}

/** The log's v5 body, built now that its parent's id is known; a flow that takes children goes incomplete. */
function linkV5(key: string, unlinked: UnlinkedLog, link: Link, open: boolean): OutgoingLog {
  const log = JSON.parse(unlinked.body.toString('utf8')) as LogRequest;
  const route = routeOf(log);
  const body = createBody(log, unlinked.path ?? 'unnamed');
  if (link.parent?.logId) body.trace_parent_id = link.parent.logId;
  if (route === 'flows') body.log_status = open ? 'incomplete' : 'complete';
  const bytes = encodeLog(body);
  return { key, parts: [bytes], bytes: bytes.length, route, incomplete: route === 'flows' && open };
}

function completeRequest(baseUrl: URL, item: OutgoingLog): WireRequest {
  const { logId = '', fileId = '', route = 'flows' } = item.completes?.created ?? {};
  const path = route === 'flows' ? `flows/logs/${encodeURIComponent(logId)}` : `${route}/${encodeURIComponent(fileId)}/log/${encodeURIComponent(logId)}`;
  return { method: 'PATCH', url: endpoint(baseUrl, path), body: Buffer.concat(item.parts) };
}

function createdLog(body: unknown, route: string | undefined): CreatedLog {
  if (!isRecord(body)) return { logId: undefined, route };
  const id = body.id;
  const fileId = isV5Route(route) ? body[FILE_ID[route]] : undefined;
  return { logId: typeof id === 'string' ? id : undefined, fileId: typeof fileId === 'string' ? fileId : undefined, route };
}

function endpoint(baseUrl: URL, path: string): URL {
  const url = new URL(baseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path}`;
  return url;
}
