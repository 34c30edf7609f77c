import { describe, expect, it } from 'vitest';
import { Custody, type CustodyOptions } from '../../src/custody/custody.js';
import { OutageBuffer } from '../../src/custody/outage-buffer.js';

/**
 * Custody alone: what an outage keeps, bounded by bytes (first kept, first out) and by age, and
 * when it is tried again (backoff with jitter from about a second to a minute). Time is what
 * the test passes in; jitter is the test's `random`.
 */

const T0 = 1_000_000;
const MINUTE = 60_000;

function custody(options: Partial<CustodyOptions> = {}): Custody {
  return new Custody({ maxBytes: 1_000, maxAgeMillis: 10 * MINUTE, spoolDir: undefined, random: () => 0.5, ...options });
}

/** Keeps `key` at `now` (first failed then), expecting nothing to be pushed out. */
function keepAt(c: Custody, key: string, now: number, bytes = 10): void {
  expect(c.keep(key, bytes, now, now)).toEqual([]);
}

describe('OutageBuffer', () => {
  it('is bounded by bytes: the oldest kept go first, as buffer_full', () => {
    const buffer = new OutageBuffer(100, MINUTE);
    expect(buffer.add('a', 40, T0)).toEqual([]);
    expect(buffer.add('b', 40, T0)).toEqual([]);
    expect(buffer.add('c', 40, T0)).toEqual([{ key: 'a', reason: 'buffer_full' }]);
    expect({ count: buffer.count, bytes: buffer.bytes }).toEqual({ count: 2, bytes: 80 });
    // Exactly full fits.
    expect(buffer.add('d', 20, T0)).toEqual([]);
    expect(buffer.bytes).toBe(100);
    expect(buffer.add('e', 100, T0)).toEqual([
      { key: 'b', reason: 'buffer_full' },
      { key: 'c', reason: 'buffer_full' },
      { key: 'd', reason: 'buffer_full' },
    ]);
    expect({ count: buffer.count, bytes: buffer.bytes }).toEqual({ count: 1, bytes: 100 });
  });

  it('lets a log larger than the whole buffer go at once, pushing nothing out', () => {
    const buffer = new OutageBuffer(100, MINUTE);
    buffer.add('a', 60, T0);
    expect(buffer.add('huge', 101, T0)).toEqual([{ key: 'huge', reason: 'buffer_full' }]);
    expect({ count: buffer.count, bytes: buffer.bytes }).toEqual({ count: 1, bytes: 60 });
  });

  it('is bounded by age: taking all, what was kept maxAge or longer ago comes back expired, the rest to retry, first kept first', () => {
    const buffer = new OutageBuffer(1_000, MINUTE);
    buffer.add('old', 10, T0);
    buffer.add('young', 10, T0 + 30_000);
    buffer.add('just', 10, T0 + 1);
    expect(buffer.takeAll(T0 + MINUTE)).toEqual({ retry: ['young', 'just'], expired: [{ key: 'old', reason: 'expired' }] });
    expect({ count: buffer.count, bytes: buffer.bytes }).toEqual({ count: 0, bytes: 0 });
    expect(buffer.takeAll(T0 + MINUTE)).toEqual({ retry: [], expired: [] });
  });
});

describe('Custody: the retry schedule', () => {
  it('sets a retry about a second after the first log is kept; later keeps do not move it', () => {
    const c = custody();
    expect(c.nextRetryAt()).toBeUndefined();
    keepAt(c, 'a', T0);
    // Floor 500 ms plus half of the first second's jitter (random 0.5).
    expect(c.nextRetryAt()).toBe(T0 + 1_000);
    keepAt(c, 'b', T0 + 900);
    expect(c.nextRetryAt()).toBe(T0 + 1_000);
    expect({ count: c.count, bytes: c.bytes }).toEqual({ count: 2, bytes: 20 });
  });

  it('gives nothing before the retry is due, and everything kept once it is', () => {
    const c = custody();
    keepAt(c, 'a', T0);
    keepAt(c, 'b', T0);
    expect(c.takeDue(T0 + 999)).toEqual({ retry: [], expired: [] });
    expect(c.count).toBe(2);
    expect(c.takeDue(T0 + 1_000)).toEqual({ retry: ['a', 'b'], expired: [] });
    expect(c.count).toBe(0);
    expect(c.nextRetryAt()).toBeUndefined();
    expect(c.takeDue(T0 + 5_000, true)).toEqual({ retry: [], expired: [] });
  });

  it('gives everything kept before it is due when forced (a flush)', () => {
    const c = custody();
    keepAt(c, 'a', T0);
    expect(c.takeDue(T0 + 1, true)).toEqual({ retry: ['a'], expired: [] });
    expect(c.nextRetryAt()).toBeUndefined();
  });

  it('backs off: each attempt that finds the API still down doubles the jitter, up to a minute', () => {
    const c = custody({ random: () => 0.5 });
    let now = T0;
    const waits: number[] = [];
    for (let attempt = 0; attempt < 10; attempt++) {
      keepAt(c, `log ${attempt}`, now);
      const due = c.nextRetryAt()!;
      waits.push(due - now);
      now = due;
      expect(c.takeDue(now).retry).toEqual([`log ${attempt}`]);
    }
    expect(waits).toEqual([1_000, 1_500, 2_500, 4_500, 8_500, 16_500, 30_500, 30_500, 30_500, 30_500]);
  });

  it('never waits longer than a minute and a half-second floor, whatever the jitter', () => {
    const c = custody({ random: () => 0.999_999 });
    let now = T0;
    for (let attempt = 0; attempt < 30; attempt++) {
      keepAt(c, 'a', now);
      const wait = c.nextRetryAt()! - now;
      expect(wait).toBeGreaterThanOrEqual(500);
      expect(wait).toBeLessThan(500 + MINUTE);
      now += wait;
      c.takeDue(now);
    }
  });

  it('starts the backoff again once a log got through (recovered)', () => {
    const c = custody();
    keepAt(c, 'a', T0);
    c.takeDue(T0 + 1_000);
    keepAt(c, 'a', T0 + 1_000);
    expect(c.nextRetryAt()).toBe(T0 + 1_000 + 1_500);
    c.takeDue(T0 + 2_500);
    c.recovered();
    keepAt(c, 'b', T0 + 10_000);
    expect(c.nextRetryAt()).toBe(T0 + 10_000 + 1_000);
  });

  it('gives back as expired, not to retry, what was kept longer than maxAge', () => {
    const c = custody({ maxAgeMillis: MINUTE });
    // `since` is when the log first failed: a log tried again keeps its age.
    expect(c.keep('old', 10, T0 - MINUTE, T0)).toEqual([]);
    keepAt(c, 'new', T0);
    expect(c.takeDue(T0 + 1_000)).toEqual({ retry: ['new'], expired: [{ key: 'old', reason: 'expired' }] });
  });

  it('says what a keep pushed out of a full buffer', () => {
    const c = custody({ maxBytes: 100 });
    keepAt(c, 'a', T0, 60);
    expect(c.keep('b', 60, T0, T0)).toEqual([{ key: 'a', reason: 'buffer_full' }]);
    expect({ count: c.count, bytes: c.bytes }).toEqual({ count: 1, bytes: 60 });
  });

  // Defect: a log too large for the whole buffer was let go at once, but the retry it set stayed:
  // the next log kept, however much later, found a retry due in the past and was tried at once,
  // with no backoff (and the exporter's alarm was set for a time already past).
  it('sets no retry for a log too large to keep: the next one kept backs off from when it is kept', () => {
    const c = custody({ maxBytes: 100 });
    expect(c.keep('huge', 101, T0, T0)).toEqual([{ key: 'huge', reason: 'buffer_full' }]);
    expect(c.nextRetryAt()).toBeUndefined();
    keepAt(c, 'a', T0 + MINUTE);
    expect(c.nextRetryAt()).toBe(T0 + MINUTE + 1_000);
  });
});

describe('Custody: shutdown', () => {
  it('lets go of everything kept when drained, giving back what is too old to spool', () => {
    const c = custody({ maxAgeMillis: MINUTE });
    expect(c.keep('old', 10, T0 - 2 * MINUTE, T0)).toEqual([]);
    keepAt(c, 'new', T0);
    expect(c.drain(T0 + 1)).toEqual([{ key: 'old', reason: 'expired' }]);
    expect({ count: c.count, bytes: c.bytes }).toEqual({ count: 0, bytes: 0 });
    expect(c.nextRetryAt()).toBeUndefined();
    expect(c.takeDue(T0 + 10 * MINUTE, true)).toEqual({ retry: [], expired: [] });
  });

  it('without a spoolDir, reads nothing back and writes nothing', async () => {
    const c = custody();
    expect(await c.load()).toEqual([]);
    expect(await c.spool([{ kind: 'linked', key: 'a', since: T0, item: { key: 'a', parts: [Buffer.from('{}')], bytes: 2 } }])).toBe(false);
    expect(c.spoolSync([])).toBe(false);
    expect(c.spoolSettled('spool-1.ndjson')).toBeUndefined();
  });
});
