import type { Clock } from './clock.js';
import { OutageBuffer } from './outage-buffer.js';
import type { OutgoingLog } from './outcome.js';
import { readSpool, writeSpool, type Spooled } from './spool.js';

export interface RetentionOptions {
  maxBytes: number;
  maxAgeMillis: number;
  spoolDir: string | undefined;
  clock: Clock;
  random: () => number;
  /** Logs to send again now (oldest first); `since` is when each first failed. */
  onRetry(logs: Spooled[]): void;
  /** A kept log that had to go: no room, or too old. */
  onEvicted(item: OutgoingLog, reason: 'buffer_full' | 'expired'): void;
}

const FIRST_RETRY_MILLIS = 1_000;
const MAX_RETRY_MILLIS = 60_000;

/**
 * Keeps what an outage kept from going out: in memory (bounded by bytes and age) and, at
 * shutdown, in `spoolDir`. Retries with backoff on a timer of its own, and at every export.
 */
export class Retention {
  private readonly _buffer: OutageBuffer;
  private _attempt = 0;
  private _retryDue = Infinity;
  private _cancelTimer: (() => void) | undefined;

  constructor(private readonly _options: RetentionOptions) {
    this._buffer = new OutageBuffer(_options.maxBytes, _options.maxAgeMillis);
  }

  /** Takes back what an earlier process spooled; it goes out with the next retry. */
  loadSpool(): void {
    if (!this._options.spoolDir) return;
    for (const { item, since } of readSpool(this._options.spoolDir)) this.keep(item, since);
    if (this._buffer.count > 0) this._retryDue = this._options.clock.now();
  }

  keep(item: OutgoingLog, since: number): void {
    for (const evicted of this._buffer.add(item, since)) this._options.onEvicted(evicted.item, evicted.reason);
    this._arm();
  }

  /** Sends what is kept if its retry is due (or now, when `force`). */
  retry(force = false): void {
    if (this._buffer.count === 0 || (!force && this._options.clock.now() < this._retryDue)) return;
    this._cancelTimer?.();
    this._cancelTimer = undefined;
    this._retryDue = Infinity;
    const { retry, expired } = this._buffer.takeAll(this._options.clock.now());
    for (const { item, reason } of expired) this._options.onEvicted(item, reason);
    this._attempt++;
    if (retry.length > 0) this._options.onRetry(retry);
  }

  /** A log went through: the API is back, so the next outage starts its backoff afresh. */
  succeeded(): void {
    this._attempt = 0;
  }

  /** At shutdown: stops retrying and hands back everything kept (the expired are evicted). */
  drain(): Spooled[] {
    this.stop();
    const { retry, expired } = this._buffer.takeAll(this._options.clock.now());
    for (const { item, reason } of expired) this._options.onEvicted(item, reason);
    return retry;
  }

  /** Writes logs to the spool for a later process; false when there is no `spoolDir`. */
  persist(logs: Spooled[]): boolean {
    if (!this._options.spoolDir) return false;
    writeSpool(this._options.spoolDir, logs);
    return true;
  }

  stop(): void {
    this._cancelTimer?.();
    this._cancelTimer = undefined;
  }

  get count(): number {
    return this._buffer.count;
  }

  get bytes(): number {
    return this._buffer.bytes;
  }

  /** One timer for the next retry: exponential backoff with full jitter, from 1 s to 60 s. */
  private _arm(): void {
    if (this._cancelTimer || this._buffer.count === 0) return;
    const ceiling = Math.min(MAX_RETRY_MILLIS, FIRST_RETRY_MILLIS * 2 ** Math.min(this._attempt, 16));
    const wait = FIRST_RETRY_MILLIS / 2 + Math.floor(this._options.random() * ceiling);
    this._retryDue = this._options.clock.now() + wait;
    this._cancelTimer = this._options.clock.setTimer(() => {
      this._cancelTimer = undefined;
      this.retry(true);
    }, wait);
  }
}
