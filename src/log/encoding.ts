import { parseJson } from '../common/json.js';
import type { OutgoingLog } from './outgoing-log.js';

/**
 * JSON as UTF-8 bytes, made once per log. Bytes rather than a string: they live outside the JS
 * heap, so a log in flight or kept through an outage costs the garbage collector a few small
 * objects, not kilobytes to copy.
 */
export function encodeJson(value: object): Buffer {
  return ownBytes(serializeJson(value));
}

/** An item whose JSON is `value`, in one part. */
export function toOutgoing(key: string, value: object, completes?: OutgoingLog['completes']): OutgoingLog {
  const body = encodeJson(value);
  return completes ? { key, parts: [body], bytes: body.length, completes } : { key, parts: [body], bytes: body.length };
}

/** The item's JSON text, for the rare path that needs it whole (spool, 413, 422). */
export function jsonOf(item: OutgoingLog): string {
  return Buffer.concat(item.parts).toString('utf8');
}

/** The item's JSON as an object again, for the rare answer (413, 422) that needs to change it. */
export function objectOf(item: OutgoingLog): Record<string, unknown> {
  const value = parseJson(jsonOf(item));
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * Text as UTF-8 in memory of its own. Buffer.from cuts small buffers from shared 8 KiB slabs,
 * and a slab stays alive as long as any piece of it: logs kept through an outage would then
 * hold far more memory than their bytes, beyond what maxBufferedBytes counts.
 */
export function ownBytes(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text, 'utf8');
  return bytes;
}

/** An unescaped backslash run, then a `\\uD800`-`\\uDFFF` escape. */
const LONE_SURROGATE_ESCAPE = /(?<!\\)((?:\\\\)*)\\u[dD][89a-fA-F][0-9a-fA-F]{2}/g;

/**
 * JSON that is valid UTF-8: JSON.stringify writes a lone surrogate (the only kind it escapes as
 * `\\uD8xx`) as an escape, which many servers refuse; it becomes U+FFFD here.
 */
export function serializeJson(value: object | string): string {
  return withoutLoneSurrogates(JSON.stringify(value));
}

export function withoutLoneSurrogates(json: string): string {
  return json.includes('\\u') ? json.replace(LONE_SURROGATE_ESCAPE, '$1\uFFFD') : json;
}

/**
 * Text without what JSON writes escaped besides quotes and backslashes (lone surrogates aside,
 * which `isWellFormed` finds). Anchored and negated: V8 runs this about twice as fast as a search
 * for one control character (0.3 against 0.65 ns a character on Node 20).
 */
// eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
const NO_CONTROL = /^[^\u0000-\u001f]*$/;
/** Control characters other than line breaks and tabs: rare in text, left to JSON.stringify. */
// eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
const RARE_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

/**
 * A string as JSON, lone surrogates as U+FFFD, the same JSON as `serializeJson` writes. Where
 * JSON.stringify copies text slowly (Node 20 and 22: figures in log-json.ts), text is searched here
 * for what needs escaping (a range test for control characters, a string search for quotes and
 * backslashes) and only what is found is replaced. Line
 * breaks and tabs, common in prompts, are escaped here too; other control characters and lone
 * surrogates (never in a one-byte string, which makes that test free) go to JSON.stringify.
 */
export function quoteJson(text: string): string {
  const breaks = !NO_CONTROL.test(text);
  if (!text.isWellFormed() || (breaks && RARE_CONTROL.test(text))) return serializeJson(text);
  let json = text;
  if (json.includes('\\')) json = json.replaceAll('\\', '\\\\');
  if (json.includes('"')) json = json.replaceAll('"', '\\"');
  return '"' + (breaks ? escapeBreaks(json) : json) + '"';
}

function escapeBreaks(text: string): string {
  let json = text;
  if (json.includes('\n')) json = json.replaceAll('\n', '\\n');
  if (json.includes('\r')) json = json.replaceAll('\r', '\\r');
  if (json.includes('\t')) json = json.replaceAll('\t', '\\t');
  return json;
}
