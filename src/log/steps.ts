import type { HumanloopExportError } from '../common/errors.js';
import type { EvaluationDropReason, Judgment } from './evaluation.js';
import type { SpanDropReason } from './fate.js';
import type { ReadableSpan } from '../common/otel.js';
import type { LogIds, OutgoingLog } from './outgoing-log.js';
import type { Link, UnlinkedLog } from './unlinked-log.js';

/**
 * What the parts of the pipeline answer with: each part returns these as data and calls no other
 * part; the pipeline carries each one to the part it is for. A log is named by its key, its
 * span's id.
 */

/** Names an `export()` call, for the export ledger. */
export type ExportId = number;

/** What the trace stage decided. */
export type TraceDecision =
  /** The log's parent is through: it may go now, linked so (`hasChildren`: logs will be linked under it). */
  | { kind: 'release'; log: UnlinkedLog; link: Link; hasChildren: boolean }
  /** A running span is waited for: log what is known of it now, so that what waits can go under it. */
  | { kind: 'open'; spanId: string; span: ReadableSpan }
  /** What is known of a running span goes as an open log (it is released by a decision that follows). */
  | { kind: 'opened'; log: UnlinkedLog }
  /** The log was folded into the log of an enclosing call that recorded the same call (`into`, its span id). */
  | { kind: 'merged'; key: string; into: string }
  /** The log waits for a span not ended, or for a parent kept through an outage: its export need not wait. */
  | { kind: 'waiting'; key: string };

/** What the log book asks of the other parts as a log goes through its life. */
export type BookEffect =
  /** Write the log in the API's body, linked so (`open`: children will be logged under it). */
  | { kind: 'write'; log: UnlinkedLog; link: Link; open: boolean }
  /** Write the completion of a log created open, from its span's whole log. */
  | { kind: 'write-completion'; end: UnlinkedLog; created: LogIds }
  /** Write an evaluation of a created log in the API's body. */
  | { kind: 'write-evaluation'; judgment: Judgment }
  /** See whether the open log's completion may go now (after what its delivery released). */
  | { kind: 'try-complete'; key: string }
  /** See whether the open log, created, still holds up its parent's completion (after what its delivery released). */
  | { kind: 'try-leave'; key: string }
  | { kind: 'send'; item: OutgoingLog; owner: ExportId | undefined }
  /** Keep the log through an outage (its bytes count against the outage buffer). */
  | { kind: 'keep'; key: string; bytes: number; since: number }
  /** The log was created: logs waiting for it may go under it (and join its export, `owner`). */
  | { kind: 'delivered'; key: string; logId: string | undefined; owner: ExportId | undefined }
  /** The log will not be created: logs waiting for it link past it (and join its export, `owner`). */
  | { kind: 'dropped'; key: string; owner: ExportId | undefined }
  /** A span ended without a log: logs waiting for it link past it. */
  | { kind: 'no-log'; spanId: string; parentSpanId: string | undefined }
  /** The log is kept through an outage: logs waiting for it wait with it. */
  | { kind: 'kept'; key: string }
  /** The log goes again as a new one (an open log whose create failed goes whole). */
  | { kind: 'relink'; log: UnlinkedLog }
  /** The export waits for one more log. */
  | { kind: 'owned'; owner: ExportId }
  /** The export no longer waits for one of its logs; `error` when that log failed the export. */
  | { kind: 'let-go'; owner: ExportId; error: HumanloopExportError | undefined }
  /** A log got through after an outage. */
  | { kind: 'recovered' }
  /** A log is lost (dropped for a reason the user did not ask for): the user hears of it. */
  | { kind: 'lost'; reason: SpanDropReason; error: HumanloopExportError | undefined }
  /** Evaluations are lost (not delivered, for a reason other than the user's choice): the user hears of it. */
  | { kind: 'lost-evaluations'; reason: EvaluationDropReason; count: number; error: HumanloopExportError | undefined }
  /** A log read from this spool file is settled (the file goes once all of its logs are). */
  | { kind: 'spool-settled'; file: string };

export type Step = TraceDecision | BookEffect;
