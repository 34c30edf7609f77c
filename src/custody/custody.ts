import { backoffMillis, type BackoffPolicy } from '../shared/backoff.js';
import type { OutgoingLog } from '../delivery/dialect.js';
import { OutageBuffer, type Evicted } from './outage-buffer.js';
import { Spool, type Kept } from './spool.js';

export type { Evicted } from './outage-buffer.js';
export type { Kept } from './spool.js';

export interface CustodyOptions {
  maxBytes: number;
  maxAgeMillis: number;
  spoolDir: string | undefined;
  random: () => number;
}

/** Kept logs are tried again from about a second after an outage starts, backing off to a minute. */
const RETRY_BACKOFF: BackoffPolicy = { floorMillis: 500, initialMillis: 1_000, maxMillis: 60_000 };

/**
 * What an outage keeps from going out: logs that could not be delivered within their deadline,
 * in memory (bounded by bytes and age), tried again with backoff, and at shutdown written to
 * `spoolDir` for the next process. It is told of every log's end (`settled`), so it knows when
 * the outage is over and when a spool file read back may be deleted.
 */
export class Custody {
  private readonly _buffer: OutageBuffer;
  private readonly _spool: Spool | undefined;
  /** When each log that failed to go out first failed, until it settles. */
  private readonly _since = new Map<string, number>();
  private _attempt = 0;
  private _retryDue: number | undefined;
  private _outage = false;

  constructor(private readonly _options: CustodyOptions) {
    this._buffer = new OutageBuffer(_options.maxBytes, _options.maxAgeMillis);
    this._spool = _options.spoolDir === undefined ? undefined : new Spool(_options.spoolDir, _options.maxBytes);
  }

  /** Set when a log could not go out in time, cleared by the next delivery: new logs are kept at once. */
  get inOutage(): boolean {
    return this._outage;
  }

  /** Keeps a log for a later attempt; returns what had to go to make room. */
  keep(item: OutgoingLog, now: number): Evicted[] {
    this._outage = true;
    const since = this._since.get(item.key) ?? now;
    this._since.set(item.key, since);
    this._retryDue ??= now + backoffMillis(this._attempt, this._options.random, RETRY_BACKOFF);
    return this._buffer.add(item, since);
  }

  /** Logs read back from the spool, kept as they were (with their age). */
  restore(kept: Kept[], now: number): Evicted[] {
    const evicted: Evicted[] = [];
    for (const { item, since } of kept) {
      this._since.set(item.key, since);
      evicted.push(...this._buffer.add(item, since));
    }
    if (kept.length > 0) this._retryDue = now;
    return evicted;
  }

  /** When the kept logs are due for another attempt, if any are kept. */
  nextRetryAt(): number | undefined {
    return this._buffer.count > 0 ? this._retryDue : undefined;
  }

  /** The kept logs, if their retry is due (or now, when `force`), and those too old to try. */
  takeDue(now: number, force = false): { retry: OutgoingLog[]; expired: Evicted[] } {
    const due = this._retryDue !== undefined && now >= this._retryDue;
    if (this._buffer.count === 0 || (!force && !due)) return { retry: [], expired: [] };
    this._retryDue = undefined;
    this._attempt++;
    const { retry, expired } = this._buffer.takeAll(now);
    return { retry: retry.map((kept) => kept.item), expired };
  }

  /**
   * A log's story ended: delivered (the outage is over), or dropped for good. Resolves once the
   * spool file it was read from is removed, when this was that file's last log.
   */
  settled(key: string, delivered: boolean): Promise<void> | undefined {
    this._since.delete(key);
    if (delivered) {
      this._outage = false;
      this._attempt = 0;
    }
    return this._spool?.resolved(key);
  }

  /** Reads what an earlier process spooled (asynchronously, bounded by `maxBytes`). */
  load(): Promise<Kept[]> {
    return this._spool ? this._spool.load(this._options.maxBytes - this._buffer.bytes) : Promise.resolve([]);
  }

  /** At shutdown: everything kept, and those too old to spool. */
  drain(now: number): { kept: Kept[]; expired: Evicted[] } {
    const { retry, expired } = this._buffer.takeAll(now);
    this._retryDue = undefined;
    return { kept: retry, expired };
  }

  /** When each of these logs first failed to go out (now, for those that never did). */
  sinceOf(item: OutgoingLog, now: number): Kept {
    return { item, since: this._since.get(item.key) ?? now };
  }

  /** Writes logs for the next process; false without a `spoolDir` or when they could not be written. */
  async spool(logs: Kept[]): Promise<boolean> {
    if (!this._spool || !(await this._spool.write(logs))) return false;
    for (const { item } of logs) this._since.delete(item.key);
    return true;
  }

  get count(): number {
    return this._buffer.count;
  }

  get bytes(): number {
    return this._buffer.bytes;
  }
}
