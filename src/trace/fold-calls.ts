import type { LogRequest } from '../log/log-request.js';
import type { LinkDecision, LinkEntry, TraceLinker } from './linker.js';
import { isSameCall, mergeCalls, type CallSignature } from './merge-calls.js';

/** A log as the pipeline holds it (encoded): folding needs only its call signature until it merges. */
export interface FoldableLog {
  call: CallSignature | undefined;
}

/** How folding reads an encoded log, and encodes the merged one in its place. */
export interface LogCodec<T> {
  decode(payload: T): LogRequest;
  encode(log: LogRequest, replacing: T): T;
}

/**
 * Folds an LLM call recorded twice (an instrumentation's span directly inside another's) into
 * the outer log: the inner span, from `entries` or waiting in the linker, is not sent. Returns
 * the entries left, the span ids folded away, and what the linker decided meanwhile.
 * Logs are decoded only when they merge, which is rare but for doubly instrumented clients.
 */
export function foldNestedCalls<T extends FoldableLog>(
  entries: Array<LinkEntry<T>>,
  linker: TraceLinker<T>,
  codec: LogCodec<T>,
): { entries: Array<LinkEntry<T>>; folded: string[]; decisions: Array<LinkDecision<T>> } {
  const decisions: Array<LinkDecision<T>> = [];
  const byParent = new Map<string, Array<LinkEntry<T>>>();
  for (const entry of entries) {
    if (entry.parentSpanId === undefined || !entry.payload.call) continue;
    const siblings = byParent.get(entry.parentSpanId);
    if (siblings) siblings.push(entry);
    else byParent.set(entry.parentSpanId, [entry]);
  }
  const folded = new Set<string>();
  for (const outer of entries) {
    const signature = outer.payload.call;
    if (!signature || folded.has(outer.spanId)) continue;
    const sameCall = (inner: LinkEntry<T>) => isSameCall(signature, inner.payload.call);
    const inners = [
      ...(byParent.get(outer.spanId) ?? []).filter((inner) => !folded.has(inner.spanId) && sameCall(inner)),
      ...linker.absorbChildren(outer.spanId, sameCall),
    ];
    if (inners.length === 0) continue;
    let log = codec.decode(outer.payload);
    for (const inner of inners) {
      log = mergeCalls(log, codec.decode(inner.payload));
      folded.add(inner.spanId);
      decisions.push(...linker.observeNotExported(inner.spanId, outer.spanId));
    }
    outer.payload = codec.encode(log, outer.payload);
  }
  if (folded.size === 0) return { entries, folded: [], decisions };
  return { entries: entries.filter((entry) => !folded.has(entry.spanId)), folded: [...folded], decisions };
}
