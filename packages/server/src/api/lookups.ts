/**
 * What validation asks about earlier requests (is this reference id stored? this parent? this
 * file?), asked of the store before validating: the ids a body names are collected, looked up
 * together, and the answers handed to the pure checks as synchronous lookups.
 */
import { isRecord } from '../common/json.js';
import type { LogStorage, StoredV5Log, V5File } from '../store/types.js';
import type { KnownJudgments } from './v5-evaluators.js';
import { MAX_TRACE_DEPTH } from './v5-kinds.js';
import type { KnownV5 } from './v5-validate.js';
import type { KnownLogs } from './validate.js';

/** For `POST /logs` and `POST /feedback`: the reference ids and log ids the items name in these fields. */
export async function knownV4Logs(store: LogStorage, body: unknown, fields: { references: string[]; ids: string[] }): Promise<KnownLogs> {
  const items: unknown[] = Array.isArray(body) ? body : [body];
  const named = (names: string[]) => [...new Set(items.flatMap((item) => names.map((name) => textAt(item, name)).filter((value) => value !== undefined)))];
  const references = named(fields.references);
  const ids = named(fields.ids);
  const [storedReferences, storedIds] = await Promise.all([
    Promise.all(references.map(async (key) => ((await store.hasReferenceId(key)) ? [key] : []))),
    Promise.all(ids.map(async (key) => ((await store.get('v4', key)) ? [key] : []))),
  ]);
  const knownReferences = new Set(storedReferences.flat());
  const knownIds = new Set(storedIds.flat());
  return { hasReferenceId: (key) => knownReferences.has(key), hasLogId: (key) => knownIds.has(key) };
}

/** For a v5 create: the file by id and by path, the trace parent and every log above it, and a log of the client's `log_id`. */
export async function knownForV5Create(store: LogStorage, body: unknown): Promise<KnownV5> {
  const id = textAt(body, 'id');
  const path = textAt(body, 'path');
  const logIds = [textAt(body, 'log_id')].filter((logId) => logId !== undefined);
  const [byId, byPath, logs] = await Promise.all([
    id === undefined ? undefined : liveFile(store, await store.file(id)),
    path === undefined ? undefined : liveFile(store, await store.fileAtPath(path)),
    logsAbove(store, textAt(body, 'trace_parent_id'), logIds),
  ]);
  return {
    file: (key) => (key === id ? byId : undefined),
    fileAtPath: (key) => (key === path ? byPath : undefined),
    log: (key) => logs.get(key),
  };
}

/** For an evaluator log: the log it judges, whether its `log_id` is taken, and the files by its `id` and `path`. */
export async function knownForJudgment(store: LogStorage, body: unknown): Promise<KnownJudgments> {
  const parentId = textAt(body, 'parent_id');
  const logId = textAt(body, 'log_id');
  const id = textAt(body, 'id');
  const path = textAt(body, 'path');
  const [parent, taken, byId, byPath] = await Promise.all([
    parentId === undefined ? undefined : v5Log(store, parentId),
    logId === undefined ? false : isTaken(store, logId),
    id === undefined ? undefined : store.file(id),
    path === undefined ? undefined : store.fileAtPath(path),
  ]);
  const evaluator = (file: V5File | undefined) => (file?.type === 'evaluator' ? file : undefined);
  return {
    logToJudge: (key) => (key === parentId ? parent : undefined),
    isTaken: (key) => key === logId && taken,
    typeAtPath: (key) => (key === path && byPath?.type !== 'evaluator' ? byPath?.type : undefined),
    evaluatorById: (key) => (key === id ? evaluator(byId) : undefined),
    evaluatorAtPath: (key) => (key === path ? evaluator(byPath) : undefined),
  };
}

/** A v5 log (not a judgment) by id. */
export async function v5Log(store: LogStorage, id: string): Promise<StoredV5Log | undefined> {
  const record = await store.get('v5', id);
  return record?.api === 'v5' && record.log.type !== 'evaluator' ? record.log : undefined;
}

async function isTaken(store: LogStorage, id: string): Promise<boolean> {
  return (await store.get('v5', id)) !== undefined || (await store.evaluatorLog(id)) !== undefined;
}

/** A file of logs is known while a log of it is stored (an evaluator's logs are kept on the logs they judge). */
async function liveFile(store: LogStorage, file: V5File | undefined): Promise<V5File | undefined> {
  if (!file || file.type === 'evaluator') return file;
  const { logs } = await store.list({ filter: { api: 'v5', fileId: file.id }, limit: 1 });
  return logs.length > 0 ? file : undefined;
}

/** The log of `parentId` and its ancestors, up to MAX_TRACE_DEPTH, and the logs of `ids`. */
async function logsAbove(store: LogStorage, parentId: string | undefined, ids: string[]): Promise<Map<string, StoredV5Log>> {
  const logs = new Map<string, StoredV5Log>();
  for (const id of ids) {
    const record = await store.get('v5', id);
    if (record?.api === 'v5') logs.set(id, record.log);
  }
  let key = parentId;
  for (let depth = 0; key !== undefined && depth <= MAX_TRACE_DEPTH && !logs.has(key); depth++) {
    const record = await store.get('v5', key);
    if (record?.api !== 'v5') break;
    logs.set(key, record.log);
    key = textAt(record.log, 'trace_parent_id');
  }
  return logs;
}

function textAt(value: unknown, name: string): string | undefined {
  const field = isRecord(value) && Object.hasOwn(value, name) ? value[name] : undefined;
  return typeof field === 'string' ? field : undefined;
}
