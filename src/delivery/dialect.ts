import type { HumanloopExportError } from '../shared/errors.js';
import type { LogRequest } from '../log/log-request.js';
import type { Link } from '../trace/linker.js';

/** What the API returned for a created log: its id for its children, and for completing it later. */
export interface CreatedLog {
  logId: string | undefined;
  /** The file the log went to, and the kind of file, where an API's update path needs them. */
  fileId?: string;
  route?: string;
}

/** A mapped log as it waits for its place in the trace: its JSON (a LogRequest) as UTF-8, and, for APIs that file logs by path, its path. */
export interface UnlinkedLog {
  body: Buffer;
  path?: string;
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
  /** Where a create goes, for APIs with an endpoint per kind of log (logs of one request share it). */
  route?: string;
  /** Created incomplete: it takes children, and is completed once they are logged. */
  incomplete?: boolean;
  /** Logs of its children wait for it: it goes without waiting for a full request. */
  awaited?: boolean;
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
  /** Whether a log created incomplete may be completed only once its children are logged. */
  readonly completesAfterChildren: boolean;
  /** What completes a log opened while its span ran: the span's output, error and duration. */
  encodeCompletion(log: LogRequest): Buffer;
  /**
   * The log in this API's body, with its place in the trace written in. `open`: children will be
   * logged under it (an API that closes a trace with its root then creates it incomplete).
   */
  link(key: string, unlinked: UnlinkedLog, link: Link, open: boolean): OutgoingLog;
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
