export const INITIAL_BACKOFF_MILLIS = 500;
export const MAX_BACKOFF_MILLIS = 8_000;

/**
 * Exponential backoff with full jitter: a uniform wait in [0, min(cap, initial * 2^attempt)).
 * `attempt` counts retries from 0; `random` returns [0, 1).
 */
export function backoffMillis(attempt: number, random: () => number): number {
  const ceiling = Math.min(MAX_BACKOFF_MILLIS, INITIAL_BACKOFF_MILLIS * 2 ** Math.min(attempt, 16));
  return Math.floor(random() * ceiling);
}
