import { ExportResultCode, type ExportResult } from '../shared/otel.js';
import type { LogOutcome } from '../delivery/dialect.js';
import { describeError, logger } from '../shared/diag.js';
import { HumanloopExportError, isItemReason, type ExportErrorReason } from '../shared/errors.js';

/** One `export()` call: the logs it waits for, and how they fared so far. */
export interface ExportEntry {
  readonly deadline: number;
  readonly callback: (result: ExportResult) => void;
  readonly pending: Set<string>;
  expected: number;
  failed: number;
  /** The first failure of each reason, to tell the caller the most telling one. */
  readonly firstFailures: Map<ExportErrorReason, HumanloopExportError>;
  sealed: boolean;
  done: boolean;
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
 * Which export waits for which logs. Each export is called back exactly once: when every log
 * it waits for is delivered, dropped or held (in the exporter's custody), when it is failed,
 * or at the latest shortly after its deadline; and at shutdown. Nothing of it is left behind.
 */
export class ExportLedger {
  private readonly _byKey = new Map<string, ExportEntry>();
  /** Open exports in the order they were opened, which is their deadlines' order. */
  private readonly _open = new Set<ExportEntry>();

  open(callback: (result: ExportResult) => void, deadline: number): ExportEntry {
    const entry: ExportEntry = {
      deadline,
      callback,
      pending: new Set(),
      expected: 0,
      failed: 0,
      firstFailures: new Map(),
      sealed: false,
      done: false,
    };
    this._open.add(entry);
    return entry;
  }

  /** The export waits for this log (unless it is done already). */
  expect(entry: ExportEntry, key: string): void {
    if (entry.done || this._byKey.has(key)) return;
    entry.pending.add(key);
    entry.expected++;
    this._byKey.set(key, entry);
  }

  /** Every log of the export has been expected: it may finish. */
  seal(entry: ExportEntry): void {
    entry.sealed = true;
    if (entry.pending.size === 0) this._finish(entry);
  }

  ownerOf(key: string): ExportEntry | undefined {
    return this._byKey.get(key);
  }

  /** How a log fared, or that it is held in the exporter's custody (its export need not wait). */
  settle(key: string, outcome: LogOutcome | 'held'): void {
    const entry = this._byKey.get(key);
    if (!entry) return;
    this._byKey.delete(key);
    entry.pending.delete(key);
    if (outcome !== 'held' && !outcome.delivered && !isItemReason(outcome.error.reason)) {
      entry.failed++;
      if (!entry.firstFailures.has(outcome.error.reason)) entry.firstFailures.set(outcome.error.reason, outcome.error);
    }
    if (entry.sealed && entry.pending.size === 0) this._finish(entry);
  }

  /** The export fails now, whatever becomes of its logs. */
  fail(entry: ExportEntry, error: HumanloopExportError): void {
    if (entry.done) return;
    this._forget(entry);
    this._callBack(entry, { code: ExportResultCode.FAILED, error });
  }

  /** Exports still waiting well past their deadline are failed. */
  expire(now: number): void {
    for (const entry of this._open) {
      if (entry.deadline + GRACE_MILLIS > now) return;
      const error = new HumanloopExportError('timeout', `${entry.pending.size} logs were still on their way at the export's deadline`);
      this.fail(entry, error.withLogs(entry.pending.size));
    }
  }

  /** When the oldest open export is due to be expired, if any is open. */
  nextExpiry(): number | undefined {
    for (const entry of this._open) return entry.deadline + GRACE_MILLIS;
    return undefined;
  }

  /** At shutdown: every export still open is called back. */
  closeAll(): void {
    for (const entry of [...this._open]) {
      this.fail(entry, new HumanloopExportError('shutdown', 'the exporter shut down before these logs were settled', { logs: entry.pending.size }));
    }
  }

  private _finish(entry: ExportEntry): void {
    if (entry.done) return;
    this._forget(entry);
    const reason = SEVERITY.find((candidate) => entry.firstFailures.has(candidate));
    if (reason === undefined) return this._callBack(entry, { code: ExportResultCode.SUCCESS });
    const first = entry.firstFailures.get(reason)!;
    const error = first.withLogs(entry.failed, `${entry.failed} of ${entry.expected} logs were not delivered to Humanloop`);
    this._callBack(entry, { code: ExportResultCode.FAILED, error });
  }

  private _forget(entry: ExportEntry): void {
    entry.done = true;
    this._open.delete(entry);
    for (const key of entry.pending) this._byKey.delete(key);
    entry.pending.clear();
  }

  private _callBack(entry: ExportEntry, result: ExportResult): void {
    try {
      entry.callback(result);
    } catch (error) {
      logger.error(`the export callback threw: ${describeError(error)}`);
    }
  }
}
