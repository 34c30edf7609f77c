import { parseJson } from '../json.js';
import type { OutgoingLog } from './dialect.js';

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

/** What a JSON string cannot hold as it is: quotes, backslashes, control characters; surrogates go to JSON.stringify, which knows pairs from lone ones. */
// eslint-disable-next-line no-control-regex -- control characters are what JSON escapes
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A string as JSON, lone surrogates as U+FFFD: quoted as it is when nothing in it needs escaping,
 * which on Node 20 and 22 is several times cheaper than JSON.stringify's copy.
 */
export function quoteJson(text: string): string {
  return NEEDS_ESCAPE.test(text) ? serializeJson(text) : '"' + text + '"';
}
