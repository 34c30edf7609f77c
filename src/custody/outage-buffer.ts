import { Fifo } from '../common/fifo.js';

interface Kept {
  key: string;
  bytes: number;
  /** When it first failed to go out: its age counts from here. */
  since: number;
}

export interface Evicted {
  key: string;
  reason: 'buffer_full' | 'expired';
}

/**
 * Logs not delivered within their deadline, kept for a later attempt: by key (the log book holds
 * the logs), bounded by bytes (first kept, first out) and by age. Every operation is O(1) per
 * log: an outage must not cost the application CPU.
 */
export class OutageBuffer {
  private readonly _items = new Fifo<Kept>();
  private _bytes = 0;

  constructor(
    private readonly _maxBytes: number,
    private readonly _maxAgeMillis: number,
  ) {}

  /** Keeps a log; returns what had to go to make room. */
  add(key: string, bytes: number, since: number): Evicted[] {
    if (bytes > this._maxBytes) return [{ key, reason: 'buffer_full' }];
    const evicted: Evicted[] = [];
    while (this._bytes + bytes > this._maxBytes) {
      const oldest = this._items.shift();
      if (!oldest) break;
      this._bytes -= oldest.bytes;
      evicted.push({ key: oldest.key, reason: 'buffer_full' });
    }
    this._items.push({ key, bytes, since });
    this._bytes += bytes;
    return evicted;
  }

  /** Takes everything for another attempt, first kept first; what is too old comes back as expired. */
  takeAll(now: number): { retry: string[]; expired: Evicted[] } {
    const items = this._items.drain();
    this._bytes = 0;
    const retry: string[] = [];
    const expired: Evicted[] = [];
    for (const { key, since } of items) {
      if (now - since >= this._maxAgeMillis) expired.push({ key, reason: 'expired' });
      else retry.push(key);
    }
    return { retry, expired };
  }

  get count(): number {
    return this._items.length;
  }

  get bytes(): number {
    return this._bytes;
  }
}
