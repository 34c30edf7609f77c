import { setOwn } from '../common/own-keys.js';

const MAX_KEYS = 64;
const MAX_STRING_CHARS = 4096;
const MAX_DEPTH = 6;
const MAX_ARRAY_ITEMS = 64;

/**
 * Metadata has a bounded size: at most 64 keys per object, strings cut at 4 096 characters,
 * arrays at 64 items, nesting at 6 levels; values that JSON cannot hold are left out. It is
 * bounded as it is built, entry by entry (`setBounded`), so that a log's metadata is not copied
 * whole once more: only an object past 64 keys is (`withinKeyBound`).
 */

/** Sets `key` of metadata to `value` as the bound keeps it, or not at all when the bound leaves it out. */
export function setBounded(metadata: Record<string, unknown>, key: string, value: unknown): void {
  const kept = boundValue(value, 1);
  if (kept !== undefined) setOwn(metadata, key, kept);
}

/**
 * Metadata whose entries were each set by `setBounded`, within its bound: itself when it has 64
 * keys or fewer, else 64 of them, its first `firstKeys` set (named keys, not indexes) before the
 * rest: keys that look like array indexes enumerate first whatever the order they were set in
 * (bounding a bounded value changes nothing).
 */
export function withinKeyBound(metadata: Record<string, unknown>, firstKeys = 0): Record<string, unknown> {
  let keys = 0;
  for (const key in metadata) if (Object.hasOwn(metadata, key) && ++keys > MAX_KEYS) return boundKeys(metadata, firstKeys);
  return metadata;
}

function boundKeys(metadata: Record<string, unknown>, firstKeys: number): Record<string, unknown> {
  const keys = Object.keys(metadata);
  const named = keys.findIndex((key) => !isArrayIndex(key));
  const first = named <= 0 ? [] : keys.splice(named, firstKeys);
  const bounded: Record<string, unknown> = {};
  for (const key of [...first, ...keys].slice(0, MAX_KEYS)) setOwn(bounded, key, metadata[key]);
  return bounded;
}

/** Whether JavaScript enumerates the key as an array index (0 to 2^32 - 2), before every other key. */
function isArrayIndex(key: string): boolean {
  return /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 2 ** 32 - 1;
}

function boundObject(object: Record<string, unknown>, depth: number): Record<string, unknown> {
  const bounded: Record<string, unknown> = {};
  let keys = 0;
  for (const key in object) {
    if (keys >= MAX_KEYS) break;
    if (!Object.hasOwn(object, key)) continue;
    const kept = boundValue(object[key], depth + 1);
    if (kept === undefined) continue;
    setOwn(bounded, key, kept);
    keys++;
  }
  return bounded;
}

function boundValue(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
      return value.length > MAX_STRING_CHARS ? `${value.slice(0, MAX_STRING_CHARS)}…` : value;
    case 'number':
      return Number.isFinite(value) ? value : undefined;
    case 'boolean':
      return value;
    case 'object':
      if (value === null) return null;
      if (depth > MAX_DEPTH) return undefined;
      if (Array.isArray(value)) return value.slice(0, MAX_ARRAY_ITEMS).map((item) => boundValue(item, depth + 1) ?? null);
      return boundObject(value as Record<string, unknown>, depth);
    default:
      return undefined;
  }
}
