/**
 * Why a log, a request or an export did not get through:
 * - `unauthorized`: Humanloop refused the API key (401/403);
 * - `unreachable`: no usable answer before the deadline (connection refused or reset, DNS, 429, 5xx);
 * - `timeout`: the last request got no answer within `timeoutMillis`, and the deadline passed;
 * - `rejected`: another answer that retrying cannot change (400, 404, a redirect);
 * - `invalid`: Humanloop refused the log itself (422);
 * - `too_large`: too large for one request even with its texts truncated;
 * - `not_configured`: the exporter has no API key or no usable base URL;
 * - `shutdown`: the exporter was shut down before it could send;
 * - `internal`: a defect in this library (reported in diag).
 */
export type ExportErrorReason =
  | 'unauthorized'
  | 'unreachable'
  | 'timeout'
  | 'rejected'
  | 'invalid'
  | 'too_large'
  | 'not_configured'
  | 'shutdown'
  | 'internal';

export interface ExportErrorDetails {
  /** The host the request went to (never the key). */
  host?: string;
  /** The HTTP status of the answer, when there was one. */
  statusCode?: number;
  /** How many logs of the export this error stands for. */
  logs?: number;
}

/**
 * The error in an export's `ExportResult` and in diag: a reason to switch on, the host it talked
 * to and the status it got. Its message never holds the API key or a payload.
 */
export class HumanloopExportError extends Error {
  override name = 'HumanloopExportError';
  readonly host: string | undefined;
  readonly statusCode: number | undefined;
  readonly logs: number;

  constructor(
    readonly reason: ExportErrorReason,
    message: string,
    details: ExportErrorDetails = {},
  ) {
    super(message);
    this.host = details.host;
    this.statusCode = details.statusCode;
    this.logs = details.logs ?? 1;
  }

  /** The same error, standing for `logs` logs, with `note` added to its message. */
  withLogs(logs: number, note?: string): HumanloopExportError {
    const message = note ? `${note}: ${this.message}` : this.message;
    return new HumanloopExportError(this.reason, message, { host: this.host, statusCode: this.statusCode, logs });
  }
}

/** Reasons that say "try again later": a log failing for one is kept through the outage. */
export function isTransient(reason: ExportErrorReason): boolean {
  return reason === 'unreachable' || reason === 'timeout';
}

/** Reasons about one log rather than the connection: the export as a whole still succeeded. */
export function isItemReason(reason: ExportErrorReason): boolean {
  return reason === 'invalid' || reason === 'too_large';
}
