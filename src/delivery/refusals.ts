import type { Refusal } from './dialect.js';

/**
 * Reads a 422 body (`{detail: [{loc: ["body", index, field, ...], msg, type}]}`) into the
 * logs it names, by their index in a batch of `size` (a body of one log has no index: `["body",
 * field, ...]`). Entries it cannot place are ignored.
 */
export function readRefusals(body: unknown, size: number, indexed: boolean): Map<number, Refusal> {
  const refusals = new Map<number, Refusal>();
  const whole = new Set<number>();
  for (const detail of details(body)) {
    if (detail.loc[0] !== 'body') continue;
    const index = indexed ? detail.loc[1] : 0;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= size) continue;
    const path = detail.loc.slice(indexed ? 2 : 1);
    const message = `${path.join('.') || 'log'}: ${detail.msg}`;
    const known = refusals.get(index) ?? { fields: [], message: '' };
    const field = path[0];
    if (typeof field !== 'string') whole.add(index);
    else if (!known.fields.includes(field)) known.fields.push(field);
    known.message = known.message ? `${known.message}; ${message}` : message;
    refusals.set(index, known);
  }
  for (const index of whole) refusals.get(index)!.fields.length = 0;
  return refusals;
}

interface Detail {
  loc: unknown[];
  msg: string;
}

function details(body: unknown): Detail[] {
  if (typeof body !== 'object' || body === null) return [];
  const { detail } = body as { detail?: unknown };
  if (!Array.isArray(detail)) return [];
  return detail.slice(0, 10_000).flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { loc, msg } = entry as { loc?: unknown; msg?: unknown };
    if (!Array.isArray(loc)) return [];
    return [{ loc, msg: typeof msg === 'string' ? msg.slice(0, 200) : 'invalid' }];
  });
}
