import { ownBytes, quoteJson, serializeJson, withoutLoneSurrogates } from './encoding.js';
import type { LogRequest } from './log-request.js';

/**
 * A log's JSON, written faster than JSON.stringify writes it before V8 13. Most of a log's bytes
 * are message text, and JSON.stringify copies text character by character to escape it (figures
 * at STRINGIFY_IS_FAST below), while `quoteJson` searches it for what needs escaping, replaces only
 * that, and adds quotes: no copy of plain text until the bytes are written. So the fields that
 * carry text are written here and everything else is left to JSON.stringify: the same JSON.
 */

/** The fields written here rather than by JSON.stringify: the text of the call. */
const TEXT_FIELDS = ['messages', 'output', 'output_message'];

/**
 * Whether this V8 writes JSON as fast as the quoting here: from V8 13 (Node 24) JSON.stringify
 * copies plain text faster than V8 11 and 12 did (on a 2-core AMD EPYC: 1.3 ns a character, against
 * 1.8 on Node 20 and 2.5 on Node 22), while the searches in `quoteJson` got slower there (1.05 ns
 * a character, against 0.55 and 0.46), and quoting also pays for joining the log from pieces.
 * Paired end to end on Node 24 (10 000 spans warm, medians of 7), both ways cost the same: whole
 * logs go to JSON.stringify there, the simpler way. Measured, not assumed from release notes.
 */
const STRINGIFY_IS_FAST = Number.parseInt(String(process.versions.v8), 10) >= 13;

/** A log (or a body made of one) as UTF-8 JSON bytes: the same JSON as `encodeJson` writes. */
export function encodeLog(log: object): Buffer {
  return ownBytes(STRINGIFY_IS_FAST ? serializeJson(log) : serializeLog(log));
}

/**
 * Pieces are joined with `+`, which V8 does without copying them; they are copied once, when the
 * bytes are written. (A slice of joined pieces would copy them all: there is none here.)
 */
export function serializeLog(log: object): string {
  if (!isPlainObject(log) || Object.hasOwn(log, '__proto__')) return serializeJson(log);
  const fields = log as Record<string, unknown>;
  const rest: Record<string, unknown> = {};
  for (const key in fields) if (Object.hasOwn(fields, key) && !TEXT_FIELDS.includes(key)) rest[key] = fields[key];
  const head = serializeJson(rest);
  let json = head.slice(0, -1);
  let separator = head === '{}' ? '' : ',';
  for (const key of TEXT_FIELDS) {
    const value = Object.hasOwn(fields, key) ? textFieldJson(key, fields[key]) : undefined;
    if (value === undefined) continue;
    json += `${separator}"${key}":` + value;
    separator = ',';
  }
  return json + '}';
}

function textFieldJson(key: string, value: unknown): string | undefined {
  if (key !== 'messages') return key === 'output' ? valueJson(value) : messageJson(value);
  if (!Array.isArray(value)) return valueJson(value);
  let json = '[';
  for (let i = 0; i < value.length; i++) json += (i === 0 ? '' : ',') + (messageJson(value[i]) ?? 'null');
  return json + ']';
}

/** A message: its fields one by one, so that its text is quoted here. */
function messageJson(message: unknown): string | undefined {
  if (!isPlainObject(message)) return valueJson(message);
  const fields = message as Record<string, unknown>;
  let json = '{';
  let separator = '';
  for (const key in fields) {
    const value = Object.hasOwn(fields, key) ? valueJson(fields[key]) : undefined;
    if (value === undefined) continue;
    json += separator + quoteJson(key) + ':' + value;
    separator = ',';
  }
  return json + '}';
}

/** A value as JSON.stringify writes it, strings quoted here; undefined for what it leaves out. */
function valueJson(value: unknown): string | undefined {
  if (typeof value === 'string') return quoteJson(value);
  const json = JSON.stringify(value) as string | undefined;
  return json === undefined ? undefined : withoutLoneSurrogates(json);
}

/**
 * An object JSON.stringify would write key by key: not an array, no toJSON, no prototype but
 * Object's. Anything else (a Date, a class a redaction returned) goes to JSON.stringify whole.
 */
function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return (prototype === Object.prototype || prototype === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

/** A log's JSON read back, for the rare path that changes a log after it was encoded (folding, closing). */
export function decodeLog(body: Buffer): LogRequest {
  return JSON.parse(body.toString('utf8')) as LogRequest;
}
