import { encodeJson, objectOf } from '../log/encoding.js';
import { judgmentOf, type Judgment } from '../log/evaluation.js';
import { decodeLog, encodeLog } from '../log/log-json.js';
import type { LogIds, OutgoingLog } from '../log/outgoing-log.js';
import type { Link, UnlinkedLog } from '../log/unlinked-log.js';
import type { Dialect, Refusal, WireRequest } from './dialect.js';
import { isRecord } from '../common/json.js';
import { isV5Route, type V5Route } from '../log/routes.js';
import { withoutFields, type FieldRules } from './json-edits.js';
import { readRefusals } from './refusals.js';
import { completionBody, createBody, routeOf } from './v5-body.js';

/** The link field, and what a log cannot go without (its file and its kernel). */
const V5_FIELDS: FieldRules = { parentFields: ['trace_parent_id'], requiredFields: new Set(['path', 'prompt', 'tool', 'flow']) };

/** An evaluator log cannot go without its file, the log it judges, its verdict or its id. */
const EVALUATOR_FIELDS: FieldRules = { parentFields: [], requiredFields: new Set(['path', 'parent_id', 'judgment', 'log_id']) };
/** The route of evaluator logs. */
const EVALUATORS = 'evaluators';

/** The file id each create answer names, by route. */
const FILE_ID: Record<V5Route, string> = { prompts: 'prompt_id', tools: 'tool_id', flows: 'flow_id' };

/**
 * Humanloop's v5 API: one log per request, to the endpoint of its kind of file (`POST
 * {base}/prompts/log`, `/tools/log`, `/flows/log`), filed by path; a log names its parent by the
 * id the parent's create returned (`trace_parent_id`); a flow that takes children is created
 * `incomplete` and completed once they are logged (`PATCH {base}/flows/logs/{id}`), a prompt or
 * tool log opened while its span ran by `PATCH {base}/prompts/{file id}/log/{id}` (or `/tools/`).
 * An evaluation is an evaluator log (`POST {base}/evaluators/log`) whose `parent_id` is the id
 * of the log it judges, sent once that log is created.
 */
export function v5Dialect(baseUrl: URL): Dialect {
  return {
    maxLogsPerRequest: 1,
    completesAfterChildren: true,
    link: linkV5,
    completion: (end, created) => {
      const body = encodeJson(completionBody(decodeLog(end.body)));
      return { key: end.spanId, parts: [body], bytes: body.length, completes: created };
    },
    evaluation: evaluatorLog,
    createRequest: ([item]) => ({ method: 'POST', url: endpoint(baseUrl, `${item.route ?? 'flows'}/log`), body: Buffer.concat(item.parts) }),
    completeRequest: (item) => completeRequest(baseUrl, item),
    created: (body, [item]) => [createdLog(body, item.route)],
    refusals: (body, batch) => readRefusals(body, batch.length, false),
    existing,
    withoutFields: (item, fields) => withoutFields(item, fields, item.route === EVALUATORS ? EVALUATOR_FIELDS : V5_FIELDS),
  };
}

/**
 * The log's v5 body, built now that its parent's id is known; a flow that takes children goes
 * incomplete. Its `log_id` is chosen here, from its span: a create sent again after its answer
 * was lost names the same log, so the server does not store it twice.
 */
function linkV5(unlinked: UnlinkedLog, link: Link, open: boolean): OutgoingLog {
  const log = decodeLog(unlinked.body);
  const route = routeOf(log);
  const body: Record<string, unknown> = { log_id: logIdOf(unlinked), ...createBody(log, unlinked.path ?? 'unnamed') };
  if (link.parent?.logId) body.trace_parent_id = link.parent.logId;
  if (route === 'flows') body.log_status = open ? 'incomplete' : 'complete';
  const bytes = encodeLog(body);
  return { key: unlinked.spanId, parts: [bytes], bytes: bytes.length, route, open: route === 'flows' && open, leads: open };
}

/**
 * An evaluation as an evaluator log under the log it judges: its verdict the score, else the
 * label; both in `metadata`; the explanation as its output. The evaluator is external to
 * Humanloop (its `spec`): it returns a number when it scores, else text. Its `log_id` is chosen
 * from the evaluation's key, as a log's is from its span.
 */
function evaluatorLog({ key, traceId, logId, evaluation }: Judgment): OutgoingLog {
  const { name, score, label, explanation, path } = evaluation;
  const spec = { evaluator_type: 'external', arguments_type: 'target_free', return_type: score === undefined ? 'text' : 'number' };
  const metadata = score === undefined && label === undefined ? undefined : { score, label };
  const body = { log_id: `${traceId}-${key}`, path: path ?? `${EVALUATORS}/${name}`, parent_id: logId, judgment: judgmentOf(evaluation), spec, output: explanation, metadata };
  const bytes = encodeJson(body);
  return { key, parts: [bytes], bytes: bytes.length, route: EVALUATORS };
}

/** The id a span's log is created with: unique to the span (trace and span id). */
function logIdOf({ traceId, spanId }: UnlinkedLog): string {
  return `${traceId}-${spanId}`;
}

/** A create refused only for its `log_id`, which names a log already there: the create was stored before, its answer lost. */
function existing(item: OutgoingLog, refusal: Refusal): LogIds | undefined {
  if (item.completes || refusal.fields.length !== 1 || refusal.fields[0] !== 'log_id') return undefined;
  const logId = objectOf(item).log_id;
  return typeof logId === 'string' ? { logId, route: item.route } : undefined;
}

function completeRequest(baseUrl: URL, item: OutgoingLog): WireRequest {
  const { logId = '', fileId = '', route = 'flows' } = item.completes ?? {};
  const path = route === 'flows' ? `flows/logs/${encodeURIComponent(logId)}` : `${route}/${encodeURIComponent(fileId)}/log/${encodeURIComponent(logId)}`;
  return { method: 'PATCH', url: endpoint(baseUrl, path), body: Buffer.concat(item.parts) };
}

function createdLog(body: unknown, route: string | undefined): LogIds {
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
