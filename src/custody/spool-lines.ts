import type { CreatedLog, OutgoingLog } from '../delivery/dialect.js';
import { jsonOf, toOutgoing } from '../delivery/encoding.js';
import { isRecord } from '../delivery/json-edits.js';
import { isV5Route } from '../delivery/v5-body.js';
import { parseJson } from '../json.js';

/** A log kept for a later attempt, and when it first failed to go out (its age counts from there). */
export interface Kept {
  item: OutgoingLog;
  since: number;
}

/**
 * One line of a spool file: `{"key","since","completes","route","log"}`, the log's JSON last, as
 * it is (it is not parsed and written again).
 */
export function toLine({ item, since }: Kept): Buffer {
  const head = { key: item.key, since, completes: item.completes, route: item.route };
  return Buffer.from(`${JSON.stringify(head).slice(0, -1)},"log":${jsonOf(item)}}\n`);
}

/**
 * A log read back from a line; undefined for a line that is not one, or that could send a request
 * anywhere but where the dialects send logs (a route they do not know, ids that are not plain).
 */
export function parseLine(line: string): Kept | undefined {
  const value = parseJson(line);
  if (!isRecord(value)) return undefined;
  const { key, since, log, completes, route } = value;
  if (typeof key !== 'string' || typeof since !== 'number' || !isRecord(log)) return undefined;
  if (route !== undefined && !isV5Route(route)) return undefined;
  const completed = completes === undefined ? undefined : completesOf(completes);
  if (completes !== undefined && completed === undefined) return undefined;
  const item = toOutgoing(key, log, completed);
  if (route !== undefined) item.route = route;
  return { item, since };
}

/** What a completion completes, with only the fields of a CreatedLog, each checked. */
function completesOf(value: unknown): OutgoingLog['completes'] {
  if (!isRecord(value) || !isPlainId(value.spanId) || !isRecord(value.created)) return undefined;
  const { logId, fileId, route } = value.created;
  if (!(logId === undefined || isPlainId(logId))) return undefined;
  if (!(fileId === undefined || isPlainId(fileId))) return undefined;
  if (!(route === undefined || isV5Route(route))) return undefined;
  const created: CreatedLog = { logId };
  if (fileId !== undefined) created.fileId = fileId;
  if (route !== undefined) created.route = route;
  return { spanId: value.spanId, created };
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
