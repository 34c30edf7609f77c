import type { OutgoingLog } from './outcome.js';

interface Buffered {
  item: OutgoingLog;
  bytes: number;
  /** When it first failed to go out: its age counts from here. */
  since: number;
}

export interface Evicted {
  item: OutgoingLog;
  reason: 'buffer_full' | 'expired';
}

/**
 * Logs that could not be delivered within their export's deadline, kept for later exports.
 * Bounded by bytes (oldest out first) and by age.
 */
export class OutageBuffer {
  private _items: Buffered[] = [];
  private _bytes = 0;

  constructor(
    private readonly _maxBytes: number,
    private readonly _maxAgeMillis: number,
  ) {}

  /** Keeps a log; returns what had to go to make room. `since` keeps the age of a log buffered before. */
  add(item: OutgoingLog, since: number): Evicted[] {
    const bytes = Buffer.byteLength(item.json);
    const evicted: Evicted[] = [];
    if (bytes > this._maxBytes) return [{ item, reason: 'buffer_full' }];
    while (this._bytes + bytes > this._maxBytes && this._items.length > 0) {
      const oldest = this._items.shift()!;
      this._bytes -= oldest.bytes;
      evicted.push({ item: oldest.item, reason: 'buffer_full' });
    }
    // Only the JSON is kept: it is all a resend needs, and half the memory.
    this._insert({ item: { key: item.key, json: item.json }, bytes, since });
    return evicted;
  }

  /** Takes everything for another attempt, oldest first; what is too old comes back as expired. */
  takeAll(now: number): { retry: Array<{ item: OutgoingLog; since: number }>; expired: Evicted[] } {
    const items = this._items;
    this._items = [];
    this._bytes = 0;
    const retry: Array<{ item: OutgoingLog; since: number }> = [];
    const expired: Evicted[] = [];
    for (const { item, since } of items) {
      if (now - since >= this._maxAgeMillis) expired.push({ item, reason: 'expired' });
      else retry.push({ item, since });
    }
    return { retry, expired };
  }

  get count(): number {
    return this._items.length;
  }

  get bytes(): number {
    return this._bytes;
  }

  /** Kept in order of `since`, so eviction and expiry take the oldest first. */
  private _insert(entry: Buffered): void {
    let index = this._items.length;
    while (index > 0 && this._items[index - 1].since > entry.since) index--;
    this._items.splice(index, 0, entry);
    this._bytes += entry.bytes;
  }
}
