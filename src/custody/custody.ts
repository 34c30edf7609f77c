import type { SpoolEntry, Restored } from '../log/spool-entry.js';
import { backoffMillis, type BackoffPolicy } from '../common/backoff.js';
import { OutageBuffer, type Evicted } from './outage-buffer.js';
import { Spool } from './spool.js';

export type { Evicted } from './outage-buffer.js';

export interface CustodyOptions {
  maxBytes: number;
  maxAgeMillis: number;
  spoolDir: string | undefined;
  random: () => number;
}

/** Kept logs are tried again from about a second after an outage starts, backing off to a minute. */
const RETRY_BACKOFF: BackoffPolicy = { floorMillis: 500, initialMillis: 1_000, maxMillis: 60_000 };

/**
 * What an outage keeps from going out: logs not delivered within their deadline, in memory
 * (bounded by bytes and age) and tried again with backoff; at shutdown, written to `spoolDir` for
 * the next process, which reads them back. It holds keys and sizes; the log book holds the logs.
 */
export class Custody {
  private readonly _buffer: OutageBuffer;
  private readonly _spool: Spool | undefined;
  private _attempt = 0;
  private _retryDue: number | undefined;

  constructor(private readonly _options: CustodyOptions) {
    this._buffer = new OutageBuffer(_options.maxBytes, _options.maxAgeMillis);
    this._spool = _options.spoolDir === undefined ? undefined : new Spool(_options.spoolDir, _options.maxBytes);
  }

  /** Keeps a log for a later attempt; returns what had to go to make room. */
  keep(key: string, bytes: number, since: number, now: number): Evicted[] {
    const evicted = this._buffer.add(key, bytes, since);
    // A retry is due only for what is kept (a log too large for the buffer is let go at once).
    if (this._buffer.count === 0) this._retryDue = undefined;
    else this._retryDue ??= now + backoffMillis(this._attempt, this._options.random, RETRY_BACKOFF);
    return evicted;
  }

  /** A log got through after an outage: the next one backs off from the start. */
  recovered(): void {
    this._attempt = 0;
  }

  /** When the kept logs are due for another attempt, if any are kept. */
  nextRetryAt(): number | undefined {
    return this._buffer.count > 0 ? this._retryDue : undefined;
  }

  /** The kept logs, if their retry is due (or now, when `force`), and those too old to try. */
  takeDue(now: number, force = false): { retry: string[]; expired: Evicted[] } {
    const due = this._retryDue !== undefined && now >= this._retryDue;
    if (this._buffer.count === 0 || (!force && !due)) return { retry: [], expired: [] };
    this._retryDue = undefined;
    this._attempt++;
    return this._buffer.takeAll(now);
  }

  /** At shutdown: everything kept is let go of; what is too old to spool comes back as expired. */
  drain(now: number): Evicted[] {
    this._retryDue = undefined;
    return this._buffer.takeAll(now).expired;
  }

  /** Reads what an earlier process spooled (asynchronously, bounded by `maxBytes`). */
  load(): Promise<Restored[]> {
    return this._spool ? this._spool.load(this._options.maxBytes - this._buffer.bytes) : Promise.resolve([]);
  }

  /** Writes logs for the next process; false without a `spoolDir` or when they could not be written. */
  spool(entries: SpoolEntry[]): Promise<boolean> {
    return this._spool ? this._spool.write(entries) : Promise.resolve(false);
  }

  /** `spool`, done before it returns: for a process `exit` handler, where nothing asynchronous runs. */
  spoolSync(entries: SpoolEntry[]): boolean {
    return this._spool ? this._spool.writeSync(entries) : false;
  }

  /** A log read from this spool file is settled; resolves once the file is removed, when it was the last. */
  spoolSettled(file: string): Promise<void> | undefined {
    return this._spool?.settled(file);
  }

  /** `spoolSettled`, the file removed before it returns. */
  spoolSettledSync(file: string): void {
    this._spool?.settledSync(file);
  }

  get count(): number {
    return this._buffer.count;
  }

  get bytes(): number {
    return this._buffer.bytes;
  }
}
