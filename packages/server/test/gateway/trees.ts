import type { TestLogServer } from '../../src/testing/index.js';
import { storedLogs, type Dialect } from '../../../../test/helpers/harness.js';

/**
 * Fields the log server assigns (ids, request order, and the times its clock stamps: the end a
 * v5 flow or agent log gets when it is completed, a v5 log's creation), which differ between two servers.
 */
const SERVER_FIELDS = new Set(['id', 'request_index', 'trace_parent_id', 'file_id', 'version_id', 'session_id', 'project_id', 'end_time', 'created_at']);

export interface TreeNode {
  spanId: string;
  parentSpanId: string | null;
  log: Record<string, unknown>;
}

/**
 * What a server stored, as a tree that two servers can be compared by: each log keyed by its
 * span, linked to its parent by the parent's span, without the ids the server assigned.
 */
export function storedTree(server: TestLogServer, api: Dialect): TreeNode[] {
  return storedLogs(server, api)
    .map(({ spanId, parentSpanId, log }) => ({
      spanId,
      parentSpanId: parentSpanId ?? null,
      log: Object.fromEntries(Object.entries(log).filter(([key]) => !SERVER_FIELDS.has(key))),
    }))
    .sort((a, b) => (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0));
}
