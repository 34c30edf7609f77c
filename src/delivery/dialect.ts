import type { HumanloopExportError } from '../errors.js';
import type { LogRequest } from '../log-request.js';
import type { Link } from '../trace/linker.js';

/** What the API returned for a created log: its id for its children, and for completing it later. */
export interface CreatedLog {
  logId: string | undefined;
  /** The file the log went to, where an API's update path needs it. */
  fileId?: string;
}

/**
 * A log ready for a request, or the completion of a log opened earlier. Its JSON is `parts`
 * one after the other (made once, never copied on the way to the socket); `key` names it in
 * outcomes (a log's key is its span id).
 */
export interface OutgoingLog {
  key: string;
  parts: readonly Buffer[];
  /** Their total length. */
  bytes: number;
  /** Set on a completion: the span whose opened log it completes, and what that log's creation returned. */
  completes?: { spanId: string; created: CreatedLog };
}

/** How one log fared: delivered (with what the API returned), or not, and why. */
export type LogOutcome = { delivered: true; created: CreatedLog } | { delivered: false; error: HumanloopExportError };

export interface WireRequest {
  method: 'POST' | 'PATCH';
  url: URL;
  body: Buffer;
}

/** What a 422 answer says about one log of a request. */
export interface Refusal {
  /** The top-level fields it names; empty when it names the log as a whole. */
  fields: string[];
  /** Field paths and messages only, never the values. */
  message: string;
}

/**
 * One wire format of the Humanloop API: how a mapped log becomes request bytes, how its place
 * in the trace is written, which requests carry logs and completions, and how answers read.
 * Nothing else in the exporter knows endpoints, body shapes or how the API names a log.
 */
export interface Dialect {
  /** Most logs one request may carry. */
  readonly maxLogsPerRequest: number;
  /** A mapped log as this API's JSON bytes, without its place in the trace. */
  encode(log: LogRequest): Buffer;
  /** Bytes `encode` wrote, back as the log (to fold two records of one call, or complete a log). */
  decode(bytes: Buffer): LogRequest;
  /** What completes a log opened while its span ran: the span's output, error and duration. */
  encodeCompletion(log: LogRequest): Buffer;
  /** The log with its place in the trace written in; its bytes are not copied. */
  link(key: string, unlinked: Buffer, link: Link): OutgoingLog;
  /** The request that creates these logs (at most `maxLogsPerRequest`). */
  createRequest(batch: readonly OutgoingLog[]): WireRequest;
  /** The request that delivers a completion. */
  completeRequest(item: OutgoingLog): WireRequest;
  /** What an accepted request returned for each log of the batch, in order. */
  created(body: unknown, batch: readonly OutgoingLog[]): CreatedLog[];
  /** The logs a 422 answer names, by their index in the batch. */
  refusals(body: unknown, batch: readonly OutgoingLog[]): Map<number, Refusal>;
  /** The log without these fields, saying so in its metadata; undefined when it cannot go without them. */
  withoutFields(item: OutgoingLog, fields: readonly string[]): OutgoingLog | undefined;
  /** An opened log not yet delivered with its completion written in: the whole log again. */
  completed(opened: OutgoingLog, completion: OutgoingLog): OutgoingLog;
}
