import type { LogRequest } from '../log-request.js';

/** A log ready to go: its key is the span id (also its `reference_id`), its JSON made once. */
export interface OutgoingLog {
  key: string;
  json: string;
  /** The JSON's UTF-8 size, counted once. */
  bytes: number;
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
  const json = serializeLog(log);
  return { key, json, bytes: Buffer.byteLength(json) };
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
 * A log with its link fields put in front of its JSON. The rest was serialized once, right after
 * the span was mapped, so a log waiting for its parent holds a string rather than an object graph.
 */
export function withLinkFields(key: string, unlinked: { json: string; bytes: number }, fields: LinkFields): OutgoingLog {
  const head = serializeLog(fields);
  const headBytes = Buffer.byteLength(head);
  if (unlinked.json === '{}') return { key, json: head, bytes: headBytes };
  // `{head}` and `{rest}` become `{head,rest}`: one brace less.
  return { key, json: `${head.slice(0, -1)},${unlinked.json.slice(1)}`, bytes: headBytes + unlinked.bytes - 1 };
}
