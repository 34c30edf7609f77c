import { encodeJson, ownBytes, quoteJson } from '../log/encoding.js';
import { judgmentOf, type Judgment } from '../log/evaluation.js';
import { decodeLog } from '../log/log-json.js';
import type { LogRequest, UpdateLogRequest } from '../log/log-request.js';
import type { LogIds, OutgoingLog } from '../log/outgoing-log.js';
import type { Link, UnlinkedLog } from '../log/unlinked-log.js';
import type { Dialect, WireRequest } from './dialect.js';
import { withoutFields, type FieldRules } from './json-edits.js';
import { readRefusals } from './refusals.js';

/** The link fields (refusing one refuses the link, not the log), and what a log cannot go without. */
const V4_FIELDS: FieldRules = { parentFields: ['parent_reference_id', 'trace_parent_id'], requiredFields: new Set(['config']) };

/** An evaluation's feedback names the log it judges and says what it is: it cannot go without any of them. */
const FEEDBACK_FIELDS: FieldRules = { parentFields: [], requiredFields: new Set(['type', 'value', 'data_id']) };
/** The route of feedback items: they share requests with each other, never with logs. */
const FEEDBACK = 'feedback';

const OPEN = Buffer.from('[');
const CLOSE = Buffer.from(']');
const COMMA = Buffer.from(',');

/**
 * Humanloop's v4 logs API: arrays of logs to `POST {base}/logs`, answered by an array of
 * `{id, ...}` in the same order; a log names its parent by `parent_reference_id` (the parent's
 * span id) and `trace_parent_id` (its log id); a log opened while its span ran is completed by
 * `PATCH {base}/logs?reference_id=<span id>`. An evaluation is feedback on the log's id, once the
 * log is created: arrays of `FeedbackRequest` to `POST {base}/feedback`. (A log created whole could
 * carry its feedback in its own `feedback` field, but a log created open cannot, its completion's
 * body has no such field; and a refused feedback field would cost or strip the log. One route
 * for every evaluation, as many to a request as logs, keeps each evaluation's fate its own.)
 */
export function v4Dialect(logsUrl: URL, maxBatchSize: number): Dialect {
  const feedbackUrl = new URL(logsUrl);
  feedbackUrl.pathname = logsUrl.pathname.replace(/\/logs$/, `/${FEEDBACK}`);
  return {
    maxLogsPerRequest: maxBatchSize,
    completesAfterChildren: false,
    link: linkV4,
    completion: (end, created) => {
      const body = encodeJson(completionOf(decodeLog(end.body)));
      return { key: end.spanId, parts: [body], bytes: body.length, completes: created };
    },
    evaluation: feedbackOf,
    createRequest: (batch) => ({ method: 'POST', url: batch[0]?.route === FEEDBACK ? feedbackUrl : logsUrl, body: arrayBody(batch) }),
    completeRequest: (item) => completeRequest(logsUrl, item),
    created: createdLogs,
    refusals: (body, batch) => readRefusals(body, batch.length, true),
    existing: () => undefined,
    withoutFields: (item, fields) => withoutFields(item, fields, item.route === FEEDBACK ? FEEDBACK_FIELDS : V4_FIELDS),
  };
}

/**
 * The link fields are put in front of the log's bytes, which are not copied: `{head}` and
 * `{rest}` become `{head,` then `rest}`.
 */
function linkV4({ spanId: key, body: unlinked }: UnlinkedLog, link: Link, open: boolean): OutgoingLog {
  let head = `{"session_reference_id":${quoteJson(link.session)}`;
  if (link.parent) {
    head += `,"parent_reference_id":${quoteJson(link.parent.spanId)}`;
    if (link.parent.logId) head += `,"trace_parent_id":${quoteJson(link.parent.logId)}`;
  }
  if (unlinked.length <= 2) {
    const whole = ownBytes(`${head}}`);
    return { key, parts: [whole], bytes: whole.length, leads: open };
  }
  const front = ownBytes(`${head},`);
  return { key, parts: [front, unlinked.subarray(1)], bytes: front.length + unlinked.length - 1, leads: open };
}

/** Feedback on the log judged, by the id its create returned: the evaluation's name, and its score or else its label. */
function feedbackOf({ key, logId, evaluation }: Judgment): OutgoingLog {
  const body = encodeJson({ type: evaluation.name, value: judgmentOf(evaluation), data_id: logId });
  return { key, parts: [body], bytes: body.length, route: FEEDBACK };
}

/** A JSON array of the logs: their bytes copied once, into the one buffer that is sent. */
function arrayBody(batch: readonly OutgoingLog[]): Buffer {
  const parts: Buffer[] = [OPEN];
  batch.forEach((item, index) => {
    if (index > 0) parts.push(COMMA);
    parts.push(...item.parts);
  });
  parts.push(CLOSE);
  return Buffer.concat(parts);
}

function completeRequest(logsUrl: URL, item: OutgoingLog): WireRequest {
  const url = new URL(logsUrl);
  url.searchParams.set('reference_id', item.key);
  return { method: 'PATCH', url, body: Buffer.concat(item.parts) };
}

function completionOf(log: LogRequest): UpdateLogRequest {
  const update: UpdateLogRequest = {};
  if (log.output !== undefined) update.output = log.output;
  if (log.error !== undefined) update.error = log.error;
  if (log.duration !== undefined) update.duration = log.duration;
  return update;
}

/** `POST /logs` answers an array in the order of the request; `PATCH` answers the log. */
function createdLogs(body: unknown, batch: readonly OutgoingLog[]): LogIds[] {
  const items = Array.isArray(body) && body.length === batch.length ? (body as unknown[]) : [body];
  return batch.map((_, index) => ({ logId: idOf(items[index]) }));
}

function idOf(item: unknown): string | undefined {
  const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}
