import type { Judgment } from '../log/evaluation.js';
import type { LogIds, OutgoingLog } from '../log/outgoing-log.js';
import type { Link, UnlinkedLog } from '../log/unlinked-log.js';

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
 * One wire format of the Humanloop API: how a log becomes request bytes with its place in the
 * trace written in, which requests carry logs and completions, and how answers read. Nothing
 * else in the exporter knows endpoints, body shapes or how the API names a log.
 */
export interface Dialect {
  /** Most logs one request may carry. */
  readonly maxLogsPerRequest: number;
  /** Whether a log created open may be completed only once its children are logged. */
  readonly completesAfterChildren: boolean;
  /**
   * The log in this API's body, linked so. `open`: children will be logged under it (it leads
   * its request; an API that closes a trace with its root creates it incomplete).
   */
  link(log: UnlinkedLog, link: Link, open: boolean): OutgoingLog;
  /** The completion of a log created open, from its span's whole log: its output, error and duration. */
  completion(end: UnlinkedLog, created: LogIds): OutgoingLog;
  /** An evaluation of a created log, as a request item of its own (items of one route share a request). */
  evaluation(judgment: Judgment): OutgoingLog;
  /** The request that creates these logs (at most `maxLogsPerRequest`), or delivers these evaluations. */
  createRequest(batch: readonly OutgoingLog[]): WireRequest;
  /** The request that delivers a completion. */
  completeRequest(item: OutgoingLog): WireRequest;
  /** What an accepted request returned for each log of the batch, in order. */
  created(body: unknown, batch: readonly OutgoingLog[]): LogIds[];
  /** The logs a 422 answer names, by their index in the batch. */
  refusals(body: unknown, batch: readonly OutgoingLog[]): Map<number, Refusal>;
  /** The log was refused because it exists already (a create sent again after its answer was lost): what it was created as. */
  existing(item: OutgoingLog, refusal: Refusal): LogIds | undefined;
  /** The log without these fields, saying so in its metadata; undefined when it cannot go without them. */
  withoutFields(item: OutgoingLog, fields: readonly string[]): OutgoingLog | undefined;
}
