import type { ReadableSpan } from '../shared/otel.js';
import { safeParentSpanId, safeSpanId } from '../mapping/span-ids.js';

export interface ReleaseOrder {
  spans: ReadableSpan[];
  /** Span ids that are the parent of another span of the same export. */
  parents: Set<string>;
}

/** An export's spans as the pipeline works through them. */
export interface ExportOrder<T> extends ReleaseOrder {
  /** Every log of the export handed on so far. */
  added: string[];
  /** LLM calls with children in the export, linked last (they may fold a nested duplicate). */
  deferred: T[];
  /** Ends of spans logged while they ran, with children in the export: taken once those are linked. */
  openedEnds: T[];
}

export function exportOrder<T>(spans: readonly ReadableSpan[]): ExportOrder<T> {
  return { ...releaseOrder(spans), added: [], deferred: [], openedEnds: [] };
}

/**
 * The order in which an export's spans are mapped and handed to the linker: the parents of
 * other spans in the export first, so that their request is on its way while their children
 * are mapped. Each group is in reverse end order: spans end children first, so reversed, an
 * ancestor comes before its descendants.
 */
export function releaseOrder(spans: readonly ReadableSpan[]): ReleaseOrder {
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
