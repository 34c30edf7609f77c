export interface BackoffPolicy {
  /** The shortest wait. */
  floorMillis: number;
  /** The ceiling of the first retry's jitter; it doubles with every attempt... */
  initialMillis: number;
  /** ...up to this. */
  maxMillis: number;
}

/** Retries of one request, within an export's deadline. */
export const REQUEST_BACKOFF: BackoffPolicy = { floorMillis: 0, initialMillis: 500, maxMillis: 8_000 };
export const MAX_BACKOFF_MILLIS = REQUEST_BACKOFF.maxMillis;

/**
 * Exponential backoff with full jitter: `floor` plus a uniform wait in
 * [0, min(max, initial * 2^attempt)). `attempt` counts retries from 0; `random` returns [0, 1).
 */
export function backoffMillis(attempt: number, random: () => number, policy: BackoffPolicy = REQUEST_BACKOFF): number {
  const ceiling = Math.min(policy.maxMillis, policy.initialMillis * 2 ** Math.min(attempt, 16));
  return policy.floorMillis + Math.floor(random() * ceiling);
}
