import type { HrTime } from '@opentelemetry/api';

/** The formatted date and time of the last whole second seen: spans come in bursts within a second. */
let cachedSecond = NaN;
let cachedPrefix = '';

/** RFC 3339 UTC with microseconds, e.g. 2026-11-22T10:00:00.123456Z. Undefined for an unusable time. */
export function toRfc3339(time: HrTime): string | undefined {
  const [seconds, nanos] = time;
  if (!Number.isFinite(seconds) || !Number.isFinite(nanos)) return undefined;
  const whole = Math.floor(seconds);
  if (whole !== cachedSecond) {
    const date = new Date(whole * 1000);
    if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1 || date.getUTCFullYear() > 9999) return undefined;
    cachedSecond = whole;
    cachedPrefix = date.toISOString().slice(0, 19);
  }
  const micros = Math.floor((seconds - whole) * 1e6 + nanos / 1000) % 1_000_000;
  return `${cachedPrefix}.${String(micros).padStart(6, '0')}Z`;
}

/** Seconds from start to end at full precision; undefined when either time is unusable. */
export function durationSeconds(start: HrTime, end: HrTime): number | undefined {
  // Whole nanoseconds first, one division last: no rounding error from adding fractions.
  const seconds = ((end[0] - start[0]) * 1e9 + (end[1] - start[1])) / 1e9;
  return Number.isFinite(seconds) ? seconds : undefined;
}
