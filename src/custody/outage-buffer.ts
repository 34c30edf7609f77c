import { Fifo } from '../shared/fifo.js';
import type { OutgoingLog } from '../delivery/dialect.js';

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
 * Bounded by bytes (first kept, first out) and by age. Every operation is O(1) per log: an
 * outage must not cost the application CPU.
 */
export class OutageBuffer {
  private readonly _items = new Fifo<Buffered>();
  private _bytes = 0;

  constructor(
    private readonly _maxBytes: number,
    private readonly _maxAgeMillis: number,
  ) {}

  /** Keeps a log; returns what had to go to make room. `since` keeps the age of a log kept before. */
  add(item: OutgoingLog, since: number): Evicted[] {
    const { bytes } = item;
    if (bytes > this._maxBytes) return [{ item, reason: 'buffer_full' }];
    const evicted: Evicted[] = [];
    while (this._bytes + bytes > this._maxBytes) {
      const oldest = this._items.shift();
      if (!oldest) break;
      this._bytes -= oldest.bytes;
      evicted.push({ item: oldest.item, reason: 'buffer_full' });
    }
    this._items.push({ item, bytes, since });
    this._bytes += bytes;
    return evicted;
  }

  /** Takes everything for another attempt, first kept first; what is too old comes back as expired. */
  takeAll(now: number): { retry: Array<{ item: OutgoingLog; since: number }>; expired: Evicted[] } {
    const items = this._items.drain();
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
}
