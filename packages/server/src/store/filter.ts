/** A filter as a test on a row (the memory engine) and as SQL (the others), meaning the same. */
import type { LogRow } from './row.js';
import type { LogFilter } from './types.js';

/** The text as it appears inside the log's JSON (quotes and controls escaped), lower-cased for matching. */
export function searchNeedle(text: string): string {
  return JSON.stringify(text).slice(1, -1).toLowerCase();
}

export function matches(row: LogRow, filter: LogFilter): boolean {
  const f = filter;
  if (f.api !== undefined && row.api !== f.api) return false;
  if (f.fileId !== undefined && row.fileId !== f.fileId) return false;
  if (f.versionId !== undefined && row.versionId !== f.versionId) return false;
  if (f.path !== undefined && row.path !== f.path) return false;
  if (f.kind !== undefined && row.kind !== f.kind) return false;
  if (f.project !== undefined && row.project !== f.project && row.projectId !== f.project) return false;
  if (f.sessionId !== undefined && row.sessionId !== f.sessionId) return false;
  if (f.traceId !== undefined && row.traceId !== f.traceId) return false;
  if (f.since !== undefined && row.timeMs < f.since) return false;
  if (f.until !== undefined && row.timeMs >= f.until) return false;
  if (f.error !== undefined && row.error !== f.error) return false;
  return f.text === undefined || asciiLower(row.json).includes(searchNeedle(f.text));
}

/** Lower-cases ASCII letters only, as SQLite's LIKE and our PostgreSQL query compare. */
function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

export interface SqlWhere {
  clause: string;
  params: unknown[];
}

/** The filter as a WHERE clause with `?` placeholders; `like` is the engine's case-insensitive LIKE. */
export function sqlWhere(filter: LogFilter, like: (column: string) => string): SqlWhere {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    parts.push(sql);
    params.push(...values);
  };
  const f = filter;
  if (f.api !== undefined) add('api = ?', f.api);
  if (f.fileId !== undefined) add('file_id = ?', f.fileId);
  if (f.versionId !== undefined) add('version_id = ?', f.versionId);
  if (f.path !== undefined) add('path = ?', f.path);
  if (f.kind !== undefined) add('kind = ?', f.kind);
  if (f.project !== undefined) add('(project = ? OR project_id = ?)', f.project, f.project);
  if (f.sessionId !== undefined) add('session_id = ?', f.sessionId);
  if (f.traceId !== undefined) add('trace_id = ?', f.traceId);
  if (f.since !== undefined) add('time_ms >= ?', Math.floor(f.since));
  if (f.until !== undefined) add('time_ms < ?', Math.ceil(f.until));
  if (f.error !== undefined) add('has_error = ?', f.error ? 1 : 0);
  if (f.text !== undefined) add(`${like('json')} ESCAPE '\\'`, `%${searchNeedle(f.text).replace(/[\\%_]/g, '\\$&')}%`);
  return { clause: parts.length === 0 ? '' : `WHERE ${parts.join(' AND ')}`, params };
}
