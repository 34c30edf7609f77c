import { describe, expect, it } from 'vitest';
import { backoffMillis, MAX_BACKOFF_MILLIS } from '../../src/common/backoff.js';
import { parseRetryAfter } from '../../src/transport/retry-after.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-22T10:00:00Z');

  it('reads delta seconds', () => {
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
  });

  it('reads an HTTP date relative to now, a past date as 0', () => {
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read and clamps absurd waits', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-3', now)).toBeUndefined();
    expect(parseRetryAfter('99999999', now)).toBe(15 * 60 * 1000);
  });
});

describe('backoffMillis', () => {
  it('grows exponentially under a cap, with full jitter', () => {
    expect(backoffMillis(0, () => 0.999)).toBe(499);
    expect(backoffMillis(1, () => 0.999)).toBe(999);
    expect(backoffMillis(3, () => 0.5)).toBe(2000);
    expect(backoffMillis(30, () => 0.999)).toBeLessThan(MAX_BACKOFF_MILLIS);
    expect(backoffMillis(5, () => 0)).toBe(0);
  });
});
