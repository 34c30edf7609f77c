import type { HeldEvaluation, Judgment } from './evaluation.js';
import type { LogIds, OutgoingLog } from './outgoing-log.js';

/**
 * A log written to `spoolDir` at shutdown for the next process, in a form that does not depend on
 * the API the next process speaks: a log still to create (unlinked, with the parent it goes
 * under, and its evaluations), the completion of a log created open, an evaluation of a log
 * already created, or (from files of earlier versions) a log already
 * linked. `since` is when it first failed to go out, in wall-clock milliseconds.
 */
export type SpoolEntry =
  | {
      kind: 'create';
      key: string;
      since: number;
      traceId: string;
      session: string | undefined;
      /** The nearest ancestor whose log is delivered (with its id) or spooled too (without). */
      parent: { spanId: string; logId: string | undefined } | undefined;
      path: string | undefined;
      /** The LogRequest, without link fields, as JSON. */
      body: Buffer;
      /** Its evaluations, which go once it is created. */
      evaluations?: readonly HeldEvaluation[];
    }
  /** An evaluation of a log already created, not delivered yet. */
  | { kind: 'evaluation'; key: string; since: number; judgment: Judgment }
  | { kind: 'complete'; key: string; since: number; traceId: string; session: string | undefined; created: LogIds; body: Buffer }
  | { kind: 'linked'; key: string; since: number; item: OutgoingLog };

/** A spool entry as read back, and the file it came from. */
export interface Restored {
  entry: SpoolEntry;
  file: string;
}
