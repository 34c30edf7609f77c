/**
 * A stored log as every engine keeps it: the record's JSON, and the fields lists filter and sort
 * on, derived from it. Pure.
 */
import type { LogApi, StoredRecord } from './types.js';

export interface LogRow {
  api: LogApi;
  id: string;
  /** v4: the reference id a child or a PATCH names it by. */
  referenceId: string | null;
  /** The key of the parent it names (a v4 reference id or id, a v5 id). */
  parentKey: string | null;
  /** The id of its trace's root, or the key of a parent not (yet) stored. */
  traceId: string;
  kind: string;
  path: string | null;
  fileId: string | null;
  versionId: string | null;
  project: string | null;
  projectId: string | null;
  sessionId: string | null;
  /** The log's own start, else when it was stored: epoch ms. */
  timeMs: number;
  storedMs: number;
  error: boolean;
  status: string | null;
  promptTokens: number | null;
  outputTokens: number | null;
  /** The JSON's length in UTF-8 bytes: what retention by size counts. */
  bytes: number;
  json: string;
}

/** The row of a record; `traceId` is the store's to fill in. */
export function rowOf(record: StoredRecord, storedMs: number, traceId: string | null = null): LogRow {
  const log = record.log;
  const json = JSON.stringify(log);
  const v4 = record.api === 'v4';
  const parentKey = v4 ? (text(log.parent_reference_id) ?? text(log.trace_parent_id)) : text(log.trace_parent_id);
  const started = Date.parse(text(v4 ? log.created_at : log.start_time) ?? '');
  return {
    api: record.api,
    id: log.id,
    referenceId: v4 ? text(log.reference_id) : null,
    parentKey,
    traceId: traceId ?? log.id,
    kind: v4 ? (text(objectAt(log.config).type) ?? 'log') : record.log.type,
    path: text(log.path),
    fileId: v4 ? null : record.log.file_id,
    versionId: v4 ? null : text(record.log.version_id),
    project: v4 ? text(log.project) : null,
    projectId: v4 ? text(log.project_id) : null,
    sessionId: v4 ? text(log.session_id) : null,
    timeMs: Number.isFinite(started) ? started : storedMs,
    storedMs,
    error: text(log.error) !== null,
    status: text(log.log_status),
    promptTokens: count(log.prompt_tokens),
    outputTokens: count(log.output_tokens),
    bytes: Buffer.byteLength(json),
    json,
  };
}

export function recordOf(row: Pick<LogRow, 'api' | 'json'>): StoredRecord {
  const log: unknown = JSON.parse(row.json);
  return { api: row.api, log } as StoredRecord;
}

/** The keys a child may name this log by. */
export function keysOf(row: Pick<LogRow, 'id' | 'referenceId'>): string[] {
  return row.referenceId === null || row.referenceId === row.id ? [row.id] : [row.id, row.referenceId];
}

function objectAt(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : null;
}
