export type JsonParse = { ok: true; value: unknown } | { ok: false; msg: string };

/**
 * Deeper documents are refused: copying or serializing them would overflow the stack (the
 * real API's Python JSON parser has a similar limit), and no log needs anywhere near this.
 */
export const MAX_JSON_DEPTH = 256;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** True for `application/json`, with or without parameters such as `charset=utf-8`. */
export function isJsonContentType(header: string | undefined): boolean {
  const mediaType = (header ?? '').split(';', 1)[0] ?? '';
  return mediaType.trim().toLowerCase() === 'application/json';
}

export function parseJson(bytes: Buffer): JsonParse {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, msg: 'body is not valid UTF-8' };
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return { ok: false, msg: 'body is not valid JSON' };
  }
  if (deeperThan(value, MAX_JSON_DEPTH)) return { ok: false, msg: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` };
  return { ok: true, value };
}

/**
 * Checked on the parsed value: V8's JSON.parse does not recurse, so a hostile document cannot
 * overflow the stack while it is built, and this walk stops at the limit, so neither can it.
 */
function deeperThan(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit === 0) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (deeperThan(item, limit - 1)) return true;
    return false;
  }
  for (const key in value) if (deeperThan((value as Record<string, unknown>)[key], limit - 1)) return true;
  return false;
}
