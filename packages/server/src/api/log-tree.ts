/**
 * Stored logs as trees by their parent links, and those trees as text for a terminal: one line
 * per log with its kind, name, model, tokens, duration, status and error. Takes logs of either API.
 */
import type { StoredLog, StoredV5Log } from './stored-logs.js';
import { summarize, type AnyStoredLog, type LogSummary } from './log-summary.js';

export interface LogNode {
  summary: LogSummary;
  children: LogNode[];
}

const MAX_FIELD_CHARS = 80;
/** Levels printed; deeper logs are cut with a note (a trace this deep is a bug worth seeing, not a crash). */
const MAX_DEPTH = 64;
// C0 and C1 controls and bidirectional overrides: a log's strings must not drive the terminal.
// eslint-disable-next-line no-control-regex -- matching control characters is the point.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * The logs' trees: roots in arrival order, children by start time (then arrival). A log whose
 * parent is not among them is a root.
 */
export function buildForest(summaries: readonly LogSummary[]): LogNode[] {
  const nodes = summaries.map((summary): LogNode => ({ summary, children: [] }));
  const byKey = new Map<string, LogNode>();
  for (const node of nodes) for (const key of node.summary.keys) if (!byKey.has(key)) byKey.set(key, node);
  const roots: LogNode[] = [];
  for (const node of nodes) {
    const parent = node.summary.parent === undefined ? undefined : byKey.get(node.summary.parent);
    if (parent && !isAncestor(node, parent, byKey)) parent.children.push(node);
    else roots.push(node);
  }
  for (const node of nodes) if (node.children.length > 1) node.children.sort(byStart);
  return roots;
}

/**
 * Earlier start first, then earlier end (times are in whole milliseconds: a quick tool call and
 * the model call after it may start in the same one); a log without a start time goes after.
 */
function byStart(a: LogNode, b: LogNode): number {
  const start = (node: LogNode) => Date.parse(node.summary.startTime ?? '') || Infinity;
  const end = (node: LogNode) => start(node) + (node.summary.durationMillis ?? 0);
  const difference = start(a) - start(b) || end(a) - end(b);
  return Number.isNaN(difference) ? 0 : difference;
}

/** Whether `node` is `candidate` or above it: linking them would close a loop. */
function isAncestor(node: LogNode, candidate: LogNode, byKey: Map<string, LogNode>): boolean {
  let current: LogNode | undefined = candidate;
  for (let steps = 0; current && steps <= byKey.size; steps++) {
    if (current === node) return true;
    current = current.summary.parent === undefined ? undefined : byKey.get(current.summary.parent);
  }
  return current !== undefined;
}

/** Logs of either API, each tagged by what it is (a v5 log has a file and a version). */
export function tagLogs(logs: ReadonlyArray<StoredLog | StoredV5Log>): AnyStoredLog[] {
  return logs.map((log) => {
    const { file_id: file, version_id: version } = log as Partial<StoredV5Log>;
    return typeof file === 'string' && typeof version === 'string' ? { api: 'v5', log: log as StoredV5Log } : { api: 'v4', log: log as StoredLog };
  });
}

/**
 * The logs (`server.logs()`, `server.v5Logs()` or both) as indented trees, one line per log,
 * with a closing count. Control characters in the logs' strings are replaced: safe to print.
 */
export function formatLogTree(logs: ReadonlyArray<StoredLog | StoredV5Log>): string {
  const roots = buildForest(tagLogs(logs).map(summarize));
  const lines = roots.flatMap((root) => treeLines(root));
  const linked = logs.length - roots.length;
  return [...lines, '', `${logs.length} logs, ${roots.length} roots, ${linked} linked to a parent`].join('\n');
}

/** One trace as lines: the root flush left, its descendants under it with branch marks. */
export function treeLines(root: LogNode): string[] {
  const lines: string[] = [describeLog(root.summary)];
  const walk = (node: LogNode, prefix: string, depth: number): void => {
    node.children.forEach((child, index) => {
      const last = index === node.children.length - 1;
      if (depth >= MAX_DEPTH) return void (index === 0 && lines.push(`${prefix}└─ … deeper levels not shown`));
      lines.push(`${prefix}${last ? '└─ ' : '├─ '}${describeLog(child.summary)}`);
      walk(child, prefix + (last ? '   ' : '│  '), depth + 1);
    });
  };
  walk(root, '', 1);
  return lines;
}

/** `[model]  openai/gpt-4o-mini  tokens 20→5  12.3 ms  id data_…`: one log on one line. */
export function describeLog(summary: LogSummary): string {
  const parts = [`[${printable(summary.kind)}]`, printable(summary.name)];
  if (summary.model !== undefined && !summary.name.includes(summary.model)) parts.push(printable(summary.model));
  if (summary.promptTokens !== undefined || summary.outputTokens !== undefined) {
    parts.push(`tokens ${summary.promptTokens ?? '-'}→${summary.outputTokens ?? '-'}`);
  }
  if (summary.durationMillis !== undefined) parts.push(formatMillis(summary.durationMillis));
  if (summary.status === 'incomplete') parts.push('(incomplete)');
  if (summary.error !== undefined) parts.push(`error: ${printable(summary.error)}`);
  parts.push(`id ${printable(summary.id)}`);
  return parts.join('  ');
}

export function formatMillis(millis: number): string {
  return millis >= 1000 ? `${(millis / 1000).toFixed(2)} s` : `${millis.toFixed(1)} ms`;
}

/** The text with control characters replaced and cut to a line's worth. */
export function printable(value: string): string {
  const clean = value.replace(UNPRINTABLE, '?');
  return clean.length > MAX_FIELD_CHARS ? `${clean.slice(0, MAX_FIELD_CHARS - 1)}…` : clean;
}
