import type { LogRequest } from '../log-request.js';

/**
 * A log ready to go: its key is the span id (also its `reference_id`), its JSON made once. The
 * object itself may be let go (a log kept through an outage holds only its JSON).
 */
export interface OutgoingLog {
  key: string;
  log?: LogRequest;
  json: string;
}

/** The log as an object, parsed again from its JSON when it was let go. */
export function logOf(item: OutgoingLog): LogRequest {
  return item.log ?? (JSON.parse(item.json) as LogRequest);
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

export function toOutgoing(key: string, log: LogRequest): OutgoingLog {
  return { key, log, json: serializeLog(log) };
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
