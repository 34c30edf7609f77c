/**
 * What the v5 log responses need of the store, looked up before they are built: each answered
 * log's trace (its root, its children), and the file and version of every log answered.
 */
import type { LogStorage, StoredV5Log, TraceNode } from '../store/types.js';
import type { StoredV5Log as AnsweredLog } from './stored-logs.js';
import { V5_KINDS } from './v5-kinds.js';
import type { V5Reader, VersionFacts } from './v5-responses.js';

/** A reader for answering `logs` (with their trace children, nested, when `withChildren`). */
export async function readV5(store: LogStorage, logs: readonly AnsweredLog[], withChildren: boolean): Promise<V5Reader> {
  const byId = new Map<string, AnsweredLog>();
  const children = new Map<string, AnsweredLog[]>();
  for (const log of logs) {
    if (children.has(log.id)) continue;
    const trace = await store.trace('v5', log.id);
    for (const root of trace?.roots ?? []) addNode(root, byId, children);
  }
  for (const log of logs) byId.set(log.id, log);
  const versioned = withChildren ? [...logs, ...logs.flatMap((log) => descendants(log.id, children))] : logs;
  const versions = await versionsOf(store, versioned);
  return {
    log: (id) => byId.get(id),
    version: (log) => versions.get(log.version_id),
    childrenOf: (id) => children.get(id) ?? [],
  };
}

/** Logs of a file type (judgments imported as logs of their own are no step of a trace). */
function isAnswerable(log: StoredV5Log): log is AnsweredLog {
  return Object.hasOwn(V5_KINDS, log.type);
}

function addNode(node: TraceNode, byId: Map<string, AnsweredLog>, children: Map<string, AnsweredLog[]>): void {
  const { record } = node;
  if (record.api !== 'v5' || !isAnswerable(record.log)) return;
  byId.set(record.log.id, record.log);
  const under = node.children.map((child) => child.record).filter((child) => child.api === 'v5' && isAnswerable(child.log));
  // In the order they were logged, as Humanloop lists trace children (the store's tree is by start time).
  const logged = under.map((child) => child.log as AnsweredLog).sort((a, b) => a.request_index - b.request_index);
  children.set(record.log.id, logged);
  for (const child of node.children) addNode(child, byId, children);
}

function descendants(id: string, children: Map<string, AnsweredLog[]>): AnsweredLog[] {
  const found: AnsweredLog[] = [];
  const queue = [...(children.get(id) ?? [])];
  for (let log = queue.shift(); log; log = queue.shift()) {
    found.push(log);
    queue.push(...(children.get(log.id) ?? []));
  }
  return found;
}

async function versionsOf(store: LogStorage, logs: readonly AnsweredLog[]): Promise<Map<string, VersionFacts>> {
  const firsts = new Map<string, AnsweredLog>();
  for (const log of logs) if (!firsts.has(log.version_id)) firsts.set(log.version_id, log);
  const entries = await Promise.all([...firsts.values()].map(async (log): Promise<[string, VersionFacts]> => [log.version_id, await versionOf(store, log)]));
  return new Map(entries);
}

async function versionOf(store: LogStorage, log: AnsweredLog): Promise<VersionFacts> {
  const [file, facts] = await Promise.all([store.file(log.file_id), store.versionFacts(log.file_id, log.version_id)]);
  const kernelName = V5_KINDS[log.type].kernel;
  return {
    path: file?.path,
    kernel: facts.first?.[kernelName] ?? undefined,
    createdAt: text(facts.first?.created_at),
    lastUsedAt: text(facts.last?.created_at),
    versionLogs: facts.versionLogs,
    fileLogs: facts.fileLogs,
  };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
