export interface InvalidItem {
  /** What the API said, field paths and messages only (never the values). */
  message: string;
  /** Every complaint is about the parent link: the log itself is fine. */
  onlyParentLink: boolean;
}

const PARENT_FIELDS = new Set(['parent_reference_id', 'trace_parent_id', 'parent_id']);

/**
 * Reads a 422 body (`{detail: [{loc: ["body", index, field, ...], msg, type}]}`) into the
 * items it names, by their index in a batch of `size`. Items it cannot place are ignored.
 */
export function invalidItems(body: unknown, size: number): Map<number, InvalidItem> {
  const items = new Map<number, InvalidItem>();
  for (const detail of details(body)) {
    const index = detail.loc[1];
    if (detail.loc[0] !== 'body' || typeof index !== 'number' || !Number.isInteger(index)) continue;
    if (index < 0 || index >= size) continue;
    const field = detail.loc.slice(2).join('.');
    const message = `${field || 'log'}: ${detail.msg}`;
    const known = items.get(index);
    const onlyParentLink = PARENT_FIELDS.has(String(detail.loc[2])) && (known?.onlyParentLink ?? true);
    items.set(index, { message: known ? `${known.message}; ${message}` : message, onlyParentLink });
  }
  return items;
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
