import type { HumanloopExportError } from '../common/errors.js';

/** What the API returned for a created log: its id for its children, and for completing it later. */
export interface LogIds {
  readonly logId: string | undefined;
  /** The file the log went to, and the kind of file, where an API's update path needs them. */
  readonly fileId?: string;
  readonly route?: string;
}

/**
 * A log ready for a request (linked, in the API's body), or the completion of a log created
 * earlier. Its JSON is `parts` one after the other (made once, never copied on the way to the
 * socket); `key` is its span id. Never changed once made.
 */
export interface OutgoingLog {
  readonly key: string;
  readonly parts: readonly Buffer[];
  /** Their total length. */
  readonly bytes: number;
  /** Set on a completion: what the create of the log it completes returned. */
  readonly completes?: LogIds;
  /** Where a create goes, for APIs with an endpoint per kind of log (logs of one request share it). */
  readonly route?: string;
  /** Created open, to take children (v5: `log_status: incomplete`): it is completed once they are logged. */
  readonly open?: boolean;
  /** Children will be logged under it: it goes without waiting to fill a request. */
  readonly leads?: boolean;
}

/**
 * How one request fared for one log: delivered (with what the API returned), or not, and why.
 * `tried`: a request was sent for it (a log a flush's cutoff kept from going is not evidence of an
 * outage).
 */
export type LogOutcome =
  | { delivered: true; created: LogIds }
  | { delivered: false; error: HumanloopExportError; tried: boolean };
