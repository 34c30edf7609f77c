import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { DropReason, LogOutcome } from './delivery/outcome.js';

/** Drops that say the item itself was refused: the export as a whole still succeeded. */
const ITEM_REASONS: ReadonlySet<DropReason> = new Set(['invalid', 'too_large']);

/**
 * Calls an export's callback exactly once, when every log of that export is delivered,
 * dropped, or held by the exporter (waiting for a parent span that has not ended).
 */
export class ExportTracker {
  private readonly _pending: Set<string>;
  private readonly _failures: string[] = [];
  private _done = false;

  constructor(
    keys: readonly string[],
    private readonly _callback: (result: ExportResult) => void,
  ) {
    this._pending = new Set(keys);
    if (this._pending.size === 0) this._finish();
  }

  /** A log this export now also waits for (released by one of its own). */
  add(key: string): void {
    if (!this._done) this._pending.add(key);
  }

  settle(key: string, outcome: LogOutcome | 'held'): void {
    if (!this._pending.delete(key)) return;
    if (outcome !== 'held' && !outcome.delivered && !ITEM_REASONS.has(outcome.reason)) {
      this._failures.push(`${outcome.reason}: ${outcome.error}`);
    }
    if (this._pending.size === 0) this._finish();
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
