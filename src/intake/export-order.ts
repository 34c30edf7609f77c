import type { ReadableSpan } from '../common/otel.js';
import { safeParentSpanId, safeSpanId } from '../mapping/span-ids.js';

/** An export's spans in the order they are worked through, and which of them are parents of others in it. */
export interface ExportOrder {
  readonly spans: readonly ReadableSpan[];
  /** Span ids that are the parent of another span of the same export. */
  readonly parents: ReadonlySet<string>;
}

/**
 * The order in which an export's spans are mapped and handed to the linker: the parents of
 * other spans in the export first, so that their request is on its way while their children
 * are mapped. Each group is in reverse end order: spans end children first, so reversed, an
 * ancestor comes before its descendants.
 */
export function exportOrder(spans: readonly ReadableSpan[]): ExportOrder {
  const parents = new Set<string>();
  for (const span of spans) {
    const parent = safeParentSpanId(span);
    if (parent !== undefined) parents.add(parent);
  }
  const first: ReadableSpan[] = [];
  const rest: ReadableSpan[] = [];
  for (let i = spans.length - 1; i >= 0; i--) {
    const span = spans[i];
    (parents.has(safeSpanId(span) ?? '') ? first : rest).push(span);
  }
  return { spans: first.concat(rest), parents };
}
