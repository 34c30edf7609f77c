import type { ExportId } from '../log/steps.js';
import { describeError, logger } from '../common/diag.js';
import { HumanloopExportError, type ExportErrorReason } from '../common/errors.js';
import { ExportResultCode, type ExportResult } from '../common/otel.js';

/** One `export()` call: how many of its logs it still waits for, and how they fared so far. */
interface ExportEntry {
  readonly deadline: number;
  readonly callback: (result: ExportResult) => void;
  pending: number;
  expected: number;
  failed: number;
  /** The first failure of each reason, to tell the caller the most telling one. */
  readonly firstFailures: Map<ExportErrorReason, HumanloopExportError>;
  sealed: boolean;
}

/** Which failure an export reports when its logs failed for several reasons: what to fix first. */
const SEVERITY: readonly ExportErrorReason[] = [
  'unauthorized',
  'not_configured',
  'unreachable',
  'timeout',
  'rejected',
  'internal',
  'shutdown',
];

/** How long past its deadline an export may wait for a log before it is failed anyway. */
const GRACE_MILLIS = 5_000;

/**
 * Which export still waits for how many of its logs. Each export is called back exactly once:
 * when every log it waits for is let go of (delivered, dropped, kept or waiting for a parent),
 * or at the latest shortly after its deadline, or at shutdown; then it is forgotten. Which log
 * belongs to which export is the log book's to know.
 */
export class ExportLedger {
  private readonly _open = new Map<ExportId, ExportEntry>();
  private _nextId = 1;

  open(callback: (result: ExportResult) => void, deadline: number): ExportId {
    const id = this._nextId++;
    this._open.set(id, { deadline, callback, pending: 0, expected: 0, failed: 0, firstFailures: new Map(), sealed: false });
    return id;
  }

  /** The export's deadline, while it is open. */
  deadlineOf(id: ExportId): number | undefined {
    return this._open.get(id)?.deadline;
  }

  /** The export waits for one more log. */
  expect(id: ExportId): void {
    const entry = this._open.get(id);
    if (!entry) return;
    entry.pending++;
    entry.expected++;
  }

  /** Every log of the export has been expected: it may finish. */
  seal(id: ExportId): void {
    const entry = this._open.get(id);
    if (!entry) return;
    entry.sealed = true;
    if (entry.pending === 0) this._finish(id, entry);
  }

  /** The export no longer waits for one of its logs; `error` when that log failed it. */
  letGo(id: ExportId, error: HumanloopExportError | undefined): void {
    const entry = this._open.get(id);
    if (!entry) return;
    entry.pending--;
    if (error) {
      entry.failed++;
      if (!entry.firstFailures.has(error.reason)) entry.firstFailures.set(error.reason, error);
    }
    if (entry.sealed && entry.pending <= 0) this._finish(id, entry);
  }

  /** Exports still waiting well past their deadline are failed. */
  expire(now: number): void {
    for (const [id, entry] of [...this._open]) {
      if (entry.deadline + GRACE_MILLIS > now) continue;
      this._failPending(id, entry, new HumanloopExportError('timeout', `${entry.pending} logs were still on their way at the export's deadline`));
    }
  }

  /** When the first open export is due to be expired, if any is open. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const entry of this._open.values()) next = Math.min(next ?? Infinity, entry.deadline + GRACE_MILLIS);
    return next;
  }

  /** At shutdown: every export still open is called back. */
  closeAll(): void {
    for (const [id, entry] of [...this._open]) {
      this._failPending(id, entry, new HumanloopExportError('shutdown', 'the exporter shut down before these logs were settled'));
    }
  }

  get openCount(): number {
    return this._open.size;
  }

  private _finish(id: ExportId, entry: ExportEntry): void {
    const reason = SEVERITY.find((candidate) => entry.firstFailures.has(candidate));
    if (reason === undefined) return this._callBack(id, entry, { code: ExportResultCode.SUCCESS });
    const first = entry.firstFailures.get(reason)!;
    // No log failed: the export itself did (its spans were not all worked through by its deadline, or at shutdown).
    const error = entry.failed === 0 ? first.withLogs(0) : first.withLogs(entry.failed, `${entry.failed} of ${entry.expected} logs were not delivered to Humanloop`);
    this._callBack(id, entry, { code: ExportResultCode.FAILED, error });
  }

  /** The logs still on their way fail the export with `error`; it reports the most severe reason of all its failures. */
  private _failPending(id: ExportId, entry: ExportEntry, error: HumanloopExportError): void {
    entry.failed += entry.pending;
    entry.pending = 0;
    if (!entry.firstFailures.has(error.reason)) entry.firstFailures.set(error.reason, error);
    this._finish(id, entry);
  }

  /** Forgotten first: the callback is called once, whatever it does. */
  private _callBack(id: ExportId, entry: ExportEntry, result: ExportResult): void {
    this._open.delete(id);
    try {
      entry.callback(result);
    } catch (error) {
      logger.error(`the export callback threw: ${describeError(error)}`);
    }
  }
}
