/** The most a server may ask us to wait; anything longer is clamped. */
const MAX_RETRY_AFTER_MILLIS = 15 * 60 * 1000;

/**
 * `Retry-After` as milliseconds from `nowMillis`: delta seconds ("2") or an HTTP date.
 * Undefined when absent or unreadable; 0 for a date in the past.
 */
export function parseRetryAfter(value: string | undefined, nowMillis: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return clamp(Number(trimmed) * 1000);
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : clamp(date - nowMillis);
}

function clamp(millis: number): number {
  return Math.min(Math.max(0, Math.round(millis)), MAX_RETRY_AFTER_MILLIS);
}
