import type { LogRequest } from '../log-request.js';
import type { LinkEntry, TraceLinker } from './linker.js';
import { isCallLog, isSameCall, mergeCalls } from './merge-calls.js';

/**
 * Folds an LLM call recorded twice (an instrumentation's span directly inside another's) into
 * the outer log: the inner span, from this export or held from an earlier one, is not sent.
 */
export function foldNestedCalls<T extends { log: LogRequest }>(
  entries: Array<LinkEntry<T>>,
  linker: TraceLinker<T>,
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
    if (folded.has(outer.spanId) || !isCallLog(outer.payload.log)) continue;
    const sameCall = (inner: LinkEntry<T>) => isSameCall(outer.payload.log, inner.payload.log);
    const inners = [
      ...(byParent.get(outer.spanId) ?? []).filter((inner) => !folded.has(inner.spanId) && sameCall(inner)),
      ...linker.absorbChildren(outer.spanId, sameCall),
    ];
    for (const inner of inners) {
      outer.payload.log = mergeCalls(outer.payload.log, inner.payload.log);
      folded.add(inner.spanId);
      linker.observeNotExported(inner.spanId, outer.spanId);
    }
  }
  return folded.size === 0 ? entries : entries.filter((entry) => !folded.has(entry.spanId));
}
