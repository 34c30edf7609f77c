import { setOwn } from '../shared/own-keys.js';

const MAX_KEYS = 64;
const MAX_STRING_CHARS = 4096;
const MAX_DEPTH = 6;
const MAX_ARRAY_ITEMS = 64;

/**
 * Metadata with a bounded size: at most 64 keys per object, strings cut at 4 096 characters,
 * arrays at 64 items, nesting at 6 levels. Values that JSON cannot hold are left out.
 */
export function boundMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  return boundObject(metadata, 0);
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
