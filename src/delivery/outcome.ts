import type { LogRequest } from '../log-request.js';

/** A log ready to go: its key is the span id (also its `reference_id`), its JSON made once. */
export interface OutgoingLog {
  key: string;
  json: string;
}

/** The log as an object again, for the rare answer (413, 422) that needs to change it. */
export function logOf(item: OutgoingLog): LogRequest {
  return JSON.parse(item.json) as LogRequest;
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
 * Serializes a log once. The object is not kept: a queued log holds only its JSON, so the object
 * dies young, and the rare 413 or 422 that needs it parses it back.
 */
export function toOutgoing(key: string, log: LogRequest): OutgoingLog {
  return { key, json: serializeLog(log) };
}

/** An unescaped backslash run, then a `\\uD800`-`\\uDFFF` escape. */
const LONE_SURROGATE_ESCAPE = /(?<!\\)((?:\\\\)*)\\u[dD][89a-fA-F][0-9a-fA-F]{2}/g;

/**
 * JSON of a log that is valid UTF-8: JSON.stringify writes a lone surrogate (the only kind it
 * escapes as `\\uD8xx`) as an escape, which many servers refuse; it becomes U+FFFD here.
 */
export function serializeLog(log: LogRequest): string {
  const json = JSON.stringify(log);
  return json.includes('\\u') ? json.replace(LONE_SURROGATE_ESCAPE, '$1\uFFFD') : json;
}
