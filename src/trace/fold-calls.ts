import { isSameCall } from '../log/call-signature.js';
import { decodeLog, encodeLog } from '../log/log-json.js';
import type { UnlinkedLog } from '../log/unlinked-log.js';
import type { LinkDecision, TraceLinker } from './linker.js';
import { mergeCalls } from './merge-calls.js';

/**
 * Folds an LLM call recorded twice (an instrumentation's span directly inside another's) into
 * the outer log: the inner span, from `logs` or waiting in the linker, is not sent. Returns the
 * logs left (an outer one replaced by its merged log), the span ids folded away (with the one
 * each was folded into), and what the
 * linker decided meanwhile. Logs are decoded only when they merge, which is rare but for doubly
 * instrumented clients.
 */
export function foldNestedCalls(
  logs: UnlinkedLog[],
  linker: TraceLinker<UnlinkedLog>,
): { logs: UnlinkedLog[]; folded: Array<{ key: string; into: string }>; decisions: Array<LinkDecision<UnlinkedLog>> } {
  const decisions: Array<LinkDecision<UnlinkedLog>> = [];
  const byParent = new Map<string, UnlinkedLog[]>();
  for (const log of logs) {
    if (log.parentSpanId === undefined || !log.call) continue;
    const siblings = byParent.get(log.parentSpanId);
    if (siblings) siblings.push(log);
    else byParent.set(log.parentSpanId, [log]);
  }
  const folded = new Map<string, string>();
  const out = logs.map((outer) => {
    const signature = outer.call;
    if (!signature || folded.has(outer.spanId)) return outer;
    const sameCall = (inner: UnlinkedLog) => isSameCall(signature, inner.call);
    const inners = [
      ...(byParent.get(outer.spanId) ?? []).filter((inner) => !folded.has(inner.spanId) && sameCall(inner)),
      ...linker.absorbChildren(outer.spanId, sameCall),
    ];
    if (inners.length === 0) return outer;
    let merged = decodeLog(outer.body);
    for (const inner of inners) {
      merged = mergeCalls(merged, decodeLog(inner.body));
      folded.set(inner.spanId, outer.spanId);
      decisions.push(...linker.observeNotExported(inner.spanId, outer.spanId));
    }
    return { ...outer, body: encodeLog(merged) };
  });
  if (folded.size === 0) return { logs: out, folded: [], decisions };
  return { logs: out.filter((log) => !folded.has(log.spanId)), folded: [...folded].map(([key, into]) => ({ key, into })), decisions };
}
