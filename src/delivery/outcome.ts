import type { LogRequest } from '../log-request.js';

/**
 * A log ready to go: its key is the span id (also its `reference_id`); its JSON as UTF-8, made
 * once. Bytes rather than a string: they live outside the JS heap, so a log in flight or kept
 * through an outage costs the garbage collector a few small objects, not 3 KB to copy.
 */
export interface OutgoingLog {
  key: string;
  /** The JSON is these bytes one after the other (the link fields, then the rest). */
  parts: readonly Buffer[];
  /** Their total length. */
  bytes: number;
}

/** The log's JSON text, for the rare path that needs it whole (spool, 413, 422). */
export function jsonOf(item: OutgoingLog): string {
  return Buffer.concat(item.parts).toString('utf8');
}

/** The log as an object again, for the rare answer (413, 422) that needs to change it. */
export function logOf(item: OutgoingLog): LogRequest {
  return JSON.parse(jsonOf(item)) as LogRequest;
}

export type DropReason =
  | 'invalid'
  | 'too_large'
  | 'deadline'
  | 'unauthorized'
  | 'rejected'
  | 'shutdown';

export type LogOutcome =
  | { delivered: true; logId: string | undefined }
  | { delivered: false; reason: DropReason; error: string };

/**
 * Serializes a log once. The object is not kept: a queued log holds only its bytes, so the object
 * dies young, and the rare 413 or 422 that needs it parses it back.
 */
export function toOutgoing(key: string, log: LogRequest): OutgoingLog {
  const body = encodeLog(log);
  return { key, parts: [body], bytes: body.length };
}

/** A log's JSON as UTF-8 bytes (lone surrogates already replaced, see serializeLog). */
export function encodeLog(log: object): Buffer {
  return ownBytes(serializeLog(log));
}

/**
 * Text as UTF-8 in memory of its own. Buffer.from cuts small buffers from shared 8 KiB slabs,
 * and a slab stays alive as long as any piece of it: logs kept through an outage would then
 * hold far more memory than their bytes, beyond what maxBufferedBytes counts.
 */
function ownBytes(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text, 'utf8');
  return bytes;
}

/** An unescaped backslash run, then a `\\uD800`-`\\uDFFF` escape. */
const LONE_SURROGATE_ESCAPE = /(?<!\\)((?:\\\\)*)\\u[dD][89a-fA-F][0-9a-fA-F]{2}/g;

/**
 * JSON of a log that is valid UTF-8: JSON.stringify writes a lone surrogate (the only kind it
 * escapes as `\\uD8xx`) as an escape, which many servers refuse; it becomes U+FFFD here.
 */
export function serializeLog(log: object): string {
  const json = JSON.stringify(log);
  return json.includes('\\u') ? json.replace(LONE_SURROGATE_ESCAPE, '$1\uFFFD') : json;
}

/** Where a log hangs in the trace: known only when the log is released, after it was serialized. */
export interface LinkFields {
  session_reference_id: string;
  parent_reference_id?: string;
  trace_parent_id?: string;
}

/**
 * A log with its link fields put in front of its bytes, which are not copied: they were encoded
 * once, right after the span was mapped, and the request body is assembled from both parts.
 */
export function withLinkFields(key: string, unlinked: Buffer, fields: LinkFields): OutgoingLog {
  const head = serializeLog(fields);
  if (unlinked.length <= 2) {
    const whole = ownBytes(head);
    return { key, parts: [whole], bytes: whole.length };
  }
  // `{head}` and `{rest}` become `{head,` then `rest}`.
  const front = ownBytes(`${head.slice(0, -1)},`);
  return { key, parts: [front, unlinked.subarray(1)], bytes: front.length + unlinked.length - 1 };
}
