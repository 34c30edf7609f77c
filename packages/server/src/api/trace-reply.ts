/** A trace and counts as this server's own read routes answer them (`GET …/logs/{id}/trace`, `GET …/totals`). Pure. */
import type { LogTotals, Trace, TraceNode } from '../store/types.js';

export interface WireTraceNode {
  log: Record<string, unknown>;
  children: WireTraceNode[];
}

/** The trace from its root: each log as stored (without the server's request index), its children under it. */
export function traceBody(trace: Trace): { roots: WireTraceNode[]; count: number; truncated: boolean } {
  return { roots: trace.roots.map(wireNode), count: trace.count, truncated: trace.truncated };
}

function wireNode(node: TraceNode): WireTraceNode {
  const { request_index: _index, ...log } = node.record.log;
  return { log, children: node.children.map(wireNode) };
}

export function totalsBody(totals: LogTotals): Record<string, number> {
  return { logs: totals.logs, errors: totals.errors, prompt_tokens: totals.promptTokens, output_tokens: totals.outputTokens };
}
