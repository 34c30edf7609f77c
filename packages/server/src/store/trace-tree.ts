/** A trace's rows as a tree by parent links: children by start time, then arrival. Pure. */
import { keysOf, recordOf, type LogRow } from './row.js';
import type { Trace, TraceNode } from './types.js';

export function buildTrace(rows: readonly LogRow[], truncated: boolean): Trace {
  const nodes = rows.map((row) => ({ row, node: { record: recordOf(row), children: [] } }));
  const byKey = new Map<string, TraceNode>();
  for (const { row, node } of nodes) for (const key of keysOf(row)) if (!byKey.has(key)) byKey.set(key, node);
  const parentOf = new Map<TraceNode, TraceNode>();
  const roots: TraceNode[] = [];
  for (const { row, node } of nodes) {
    const parent = row.parentKey === null ? undefined : byKey.get(row.parentKey);
    if (parent && !closesLoop(node, parent, parentOf)) {
      parent.children.push(node);
      parentOf.set(node, parent);
    } else roots.push(node);
  }
  const start = new Map(nodes.map(({ row, node }) => [node, row.timeMs]));
  for (const { node } of nodes) node.children.sort((a, b) => (start.get(a) ?? 0) - (start.get(b) ?? 0));
  return { roots, count: rows.length, truncated };
}

function closesLoop(node: TraceNode, parent: TraceNode, parentOf: Map<TraceNode, TraceNode>): boolean {
  let current: TraceNode | undefined = parent;
  for (let steps = 0; current && steps <= parentOf.size + 1; steps++) {
    if (current === node) return true;
    current = parentOf.get(current);
  }
  return false;
}
