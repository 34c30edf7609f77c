import type { LogRequest } from '../log-request.js';
import type { LinkEntry, TraceLinker } from './linker.js';
import { callSignature, isSameCall, mergeCalls, type CallSignature } from './merge-calls.js';

/** How to read an entry the linker holds from an earlier export (kept as JSON, not as an object). */
export interface HeldCalls<H> {
  signature(payload: H): CallSignature | undefined;
  log(payload: H): LogRequest;
}

/**
 * Folds an LLM call recorded twice (an instrumentation's span directly inside another's) into
 * the outer log: the inner span, from this export or held from an earlier one, is not sent.
 */
export function foldNestedCalls<T extends { log: LogRequest }, H>(
  entries: Array<LinkEntry<T>>,
  linker: TraceLinker<H>,
  held: HeldCalls<H>,
): Array<LinkEntry<T>> {
  const byParent = new Map<string, Array<LinkEntry<T>>>();
  for (const entry of entries) {
    if (entry.parentSpanId === undefined) continue;
    const siblings = byParent.get(entry.parentSpanId);
    if (siblings) siblings.push(entry);
    else byParent.set(entry.parentSpanId, [entry]);
  }
  const folded = new Set<string>();
  for (const outer of entries) {
    const signature = folded.has(outer.spanId) ? undefined : callSignature(outer.payload.log);
    if (!signature) continue;
    const inners = [
      ...(byParent.get(outer.spanId) ?? [])
        .filter((inner) => !folded.has(inner.spanId) && isSameCall(signature, callSignature(inner.payload.log)))
        .map((inner) => ({ spanId: inner.spanId, log: inner.payload.log })),
      ...linker
        .absorbChildren(outer.spanId, (inner) => isSameCall(signature, held.signature(inner.payload)))
        .map((inner) => ({ spanId: inner.spanId, log: held.log(inner.payload) })),
    ];
    for (const inner of inners) {
      outer.payload.log = mergeCalls(outer.payload.log, inner.log);
      folded.add(inner.spanId);
      linker.observeNotExported(inner.spanId, outer.spanId);
    }
  }
  return folded.size === 0 ? entries : entries.filter((entry) => !folded.has(entry.spanId));
}
