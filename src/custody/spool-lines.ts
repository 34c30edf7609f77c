import { encodeJson, serializeJson, toOutgoing } from '../log/encoding.js';
import type { LogIds, OutgoingLog } from '../log/outgoing-log.js';
import type { HeldEvaluation } from '../log/evaluation.js';
import type { SpoolEntry } from '../log/spool-entry.js';
import { isRecord } from '../common/json.js';
import { isV5Route } from '../log/routes.js';
import { parseJson } from '../common/json.js';

/**
 * One line of a spool file: the entry's fields, then its log's JSON as it is (not parsed and
 * written again). `{"v":2,"kind":"create",...}` is a log to create, with the parent it goes
 * under and its evaluations; `{"v":2,"kind":"complete",...}` the completion of a log created
 * open; `{"v":2,"kind":"evaluation",...}` an evaluation of a log created already; a line without
 * `v` (written by earlier versions) a log already linked, in the API's body.
 */
export function toLine(entry: SpoolEntry): Buffer {
  const { key, since } = entry;
  if (entry.kind === 'linked') {
    const head = { key, since, completes: entry.item.completes, route: entry.item.route };
    return line(head, Buffer.concat(entry.item.parts).toString('utf8'));
  }
  if (entry.kind === 'evaluation') {
    const { traceId, logKey, logId, evaluation } = entry.judgment;
    return line({ v: 2, kind: entry.kind, key, since, trace: traceId, judges: { key: logKey, id: logId } }, serializeJson(evaluation));
  }
  const common = { v: 2, kind: entry.kind, key, since, trace: entry.traceId, session: entry.session };
  const head = entry.kind === 'create' ? { ...common, parent: entry.parent, path: entry.path, evaluations: entry.evaluations } : { ...common, created: entry.created };
  return line(head, entry.body.toString('utf8'));
}

function line(head: object, log: string): Buffer {
  return Buffer.from(`${serializeJson(head).slice(0, -1)},"log":${log}}\n`);
}

/**
 * An entry read back from a line; undefined for a line that is not one, or that could send a
 * request anywhere but where the dialects send logs (a route they do not know, ids that are not
 * plain).
 */
export function parseLine(text: string): SpoolEntry | undefined {
  const value = parseJson(text);
  if (!isRecord(value)) return undefined;
  const { key, since, log } = value;
  if (!isPlainId(key) || typeof since !== 'number' || !isRecord(log)) return undefined;
  if (value.v === undefined) return linkedEntry(value, key, since, log);
  const { trace, session } = value;
  if (value.v !== 2 || !isPlainId(trace) || !(session === undefined || typeof session === 'string')) return undefined;
  if (value.kind === 'evaluation') return evaluationEntry(value, key, since, trace, log);
  const body = encodeJson(log);
  if (value.kind === 'complete') {
    const created = createdOf(value.created);
    return created && { kind: 'complete', key, since, traceId: trace, session, created, body };
  }
  const { path } = value;
  const parent = value.parent === undefined ? undefined : parentOf(value.parent);
  const evaluations = value.evaluations === undefined ? undefined : evaluationsOf(value.evaluations);
  if (value.kind !== 'create' || !(path === undefined || typeof path === 'string') || parent === null || evaluations === null) return undefined;
  const entry: SpoolEntry = { kind: 'create', key, since, traceId: trace, session, parent, path, body };
  return evaluations ? { ...entry, evaluations } : entry;
}

/** An evaluation of a log created already: the log it judges, by its span id and log id. */
function evaluationEntry(value: Record<string, unknown>, key: string, since: number, traceId: string, log: Record<string, unknown>): SpoolEntry | undefined {
  const judges = value.judges;
  const evaluation = heldEvaluation(log);
  if (!isRecord(judges) || !isPlainId(judges.key) || !isPlainId(judges.id) || !evaluation) return undefined;
  return { kind: 'evaluation', key, since, judgment: { key, traceId, logKey: judges.key, logId: judges.id, evaluation } };
}

/** A line's evaluations; null when any is not one. */
function evaluationsOf(value: unknown): HeldEvaluation[] | null {
  if (!Array.isArray(value)) return null;
  const evaluations = value.map(heldEvaluation);
  return evaluations.every((evaluation) => evaluation !== undefined) ? evaluations : null;
}

/** An evaluation with only its own fields, each checked. */
function heldEvaluation(value: unknown): HeldEvaluation | undefined {
  if (!isRecord(value)) return undefined;
  const { name, score, label, explanation, path } = value;
  if (typeof name !== 'string' || name === '') return undefined;
  if (!(score === undefined || (typeof score === 'number' && Number.isFinite(score)))) return undefined;
  if (![label, explanation, path].every((text) => text === undefined || typeof text === 'string')) return undefined;
  const evaluation: HeldEvaluation = { name };
  if (score !== undefined) evaluation.score = score;
  if (label !== undefined) evaluation.label = label as string;
  if (explanation !== undefined) evaluation.explanation = explanation as string;
  return path === undefined ? evaluation : { ...evaluation, path: path as string };
}

/** A line of an earlier version: a log already linked, in the API's body. */
function linkedEntry(value: Record<string, unknown>, key: string, since: number, log: Record<string, unknown>): SpoolEntry | undefined {
  const { route, completes } = value;
  if (route !== undefined && !isV5Route(route)) return undefined;
  const completed = completes === undefined ? undefined : isRecord(completes) ? createdOf(completes.created) : undefined;
  if (completes !== undefined && completed === undefined) return undefined;
  const item: OutgoingLog = { ...toOutgoing(key, log, completed), ...(route === undefined ? {} : { route }) };
  return { kind: 'linked', key, since, item };
}

/** What a create returned, with only the fields of a LogIds, each checked. */
function createdOf(value: unknown): LogIds | undefined {
  if (!isRecord(value)) return undefined;
  const { logId, fileId, route } = value;
  if (!(logId === undefined || isPlainId(logId))) return undefined;
  if (!(fileId === undefined || isPlainId(fileId))) return undefined;
  if (!(route === undefined || isV5Route(route))) return undefined;
  return { logId, ...(fileId === undefined ? {} : { fileId }), ...(route === undefined ? {} : { route }) };
}

/** The parent a log to create goes under; null when the line's is not one. */
function parentOf(value: unknown): { spanId: string; logId: string | undefined } | null {
  if (!isRecord(value) || !isPlainId(value.spanId)) return null;
  const { logId } = value;
  return logId === undefined || isPlainId(logId) ? { spanId: value.spanId, logId } : null;
}

// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const SEPARATOR_OR_CONTROL = /[/\\\u0000-\u001f\u007f]/;

/**
 * An id as an API returns one, safe in a path once URI-encoded: a string of at most 256
 * characters, without path separators or control characters, and not a dot segment.
 */
function isPlainId(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) return false;
  return value !== '.' && value !== '..' && !SEPARATOR_OR_CONTROL.test(value);
}
