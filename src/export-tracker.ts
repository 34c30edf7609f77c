import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { DropReason, LogOutcome } from './delivery/outcome.js';

/** Drops that say the item itself was refused: the export as a whole still succeeded. */
const ITEM_REASONS: ReadonlySet<DropReason> = new Set(['invalid', 'too_large']);

/**
 * Calls an export's callback exactly once, when every log of that export is delivered,
 * dropped, or held by the exporter (waiting for a parent span that has not ended). Logs are
 * added while the export is worked through; the callback can come only after `seal()`.
 */
export class ExportTracker {
  private readonly _pending = new Set<string>();
  private readonly _failures: string[] = [];
  private _sealed = false;
  private _done = false;

  constructor(private readonly _callback: (result: ExportResult) => void) {}

  /** A log this export waits for. */
  add(key: string): void {
    if (!this._done) this._pending.add(key);
  }

  /** Every log of the export has been added. */
  seal(): void {
    this._sealed = true;
    if (this._pending.size === 0) this._finish();
  }

  settle(key: string, outcome: LogOutcome | 'held'): void {
    if (!this._pending.delete(key)) return;
    if (outcome !== 'held' && !outcome.delivered && !ITEM_REASONS.has(outcome.reason)) {
      this._failures.push(`${outcome.reason}: ${outcome.error}`);
    }
    if (this._sealed && this._pending.size === 0) this._finish();
  }

  /** The export could not be worked through: it fails now, whatever becomes of its logs. */
  fail(reason: string): void {
    if (this._done) return;
    this._done = true;
    this._callback({ code: ExportResultCode.FAILED, error: new Error(reason) });
  }

  private _finish(): void {
    if (this._done) return;
    this._done = true;
    if (this._failures.length === 0) return this._callback({ code: ExportResultCode.SUCCESS });
    const distinct = [...new Set(this._failures)].slice(0, 3).join('; ');
    const error = new Error(`${this._failures.length} logs were not delivered to Humanloop (${distinct})`);
    this._callback({ code: ExportResultCode.FAILED, error });
  }
}
