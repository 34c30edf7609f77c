/**
 * What `serve` prints as logs arrive. By default each trace as a tree, printed once its logs stop
 * coming for a moment (a trace whose logs arrive later is printed again, whole), and completions
 * of logs already printed as a line of their own. `--json`: one JSON line per stored or updated
 * log. Every string from a log is made safe for a terminal first.
 */
import type { LogChange } from '../api/event-stream.js';
import { summarize, type LogSummary } from '../api/log-summary.js';
import { buildForest, describeLog, treeLines, type LogNode } from '../api/log-tree.js';

/** How long a trace's logs may pause before its tree is printed. */
export const QUIET_MILLIS = 200;

// JSON.stringify escapes C0 controls; these it leaves as they are: DEL, C1 controls, bidirectional
// overrides, line and paragraph separators.
const JSON_UNSAFE = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** One JSON line for a stored or updated log, with nothing in it that a terminal would act on. */
export function jsonLine(change: LogChange): string {
  const text = JSON.stringify({ change: change.change, api: change.api, log: change.log });
  return text.replace(JSON_UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Collects changes and prints, on `flush()`, the trees of traces with new logs and the completions of others. */
export class TracePrinter {
  private readonly _summaries = new Map<string, LogSummary>();
  private _new = new Set<string>();
  private _updated = new Set<string>();

  constructor(private readonly _write: (line: string) => void) {}

  add(change: LogChange): void {
    const summary = summarize(change);
    const key = `${summary.api}:${summary.id}`;
    this._summaries.set(key, summary);
    (change.change === 'stored' ? this._new : this._updated).add(key);
  }

  get pending(): boolean {
    return this._new.size > 0 || this._updated.size > 0;
  }

  flush(): void {
    if (!this.pending) return;
    const roots = buildForest([...this._summaries.values()]);
    const rootOf = new Map<string, LogNode>();
    for (const root of roots) visit(root, (node) => rootOf.set(`${node.summary.api}:${node.summary.id}`, root));
    const touched = new Set<LogNode>();
    for (const key of this._new) {
      const root = rootOf.get(key);
      if (root) touched.add(root);
    }
    for (const root of roots) if (touched.has(root)) this._write(['', ...treeLines(root)].join('\n'));
    for (const key of this._updated) {
      const root = rootOf.get(key);
      const summary = this._summaries.get(key);
      if (summary && !(root && touched.has(root))) this._write(`updated  ${describeLog(summary)}`);
    }
    this._new = new Set();
    this._updated = new Set();
  }
}

function visit(node: LogNode, each: (node: LogNode) => void): void {
  const stack = [node];
  for (let next = stack.pop(); next; next = stack.pop()) {
    each(next);
    stack.push(...next.children);
  }
}
