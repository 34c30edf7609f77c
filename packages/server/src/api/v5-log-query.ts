/**
 * `GET /v5/logs`: its query (the filters of Humanloop's list that mean something over the local
 * store, and the page), read and checked as FastAPI would, and applied to the stored logs.
 */
import { MAX_PAGE_SIZE, type LogFilter, type LogStorage } from '../store/types.js';
import type { StoredV5Log } from './stored-logs.js';
import { V5_KINDS } from './v5-kinds.js';
import type { ValidationError } from './validate.js';

export interface LogQuery {
  fileId: string | undefined;
  versionId: string | undefined;
  /** Only these logs (`id`, repeated), when given. */
  ids: ReadonlySet<string> | undefined;
  /** In the inputs or the output, as text, case aside. */
  search: string | undefined;
  /** In the metadata, as text, case aside. */
  metadataSearch: string | undefined;
  /** Created at or after (epoch milliseconds). */
  start: number | undefined;
  /** Created at or before (epoch milliseconds). */
  end: number | undefined;
  /** 1-based. */
  page: number;
  size: number;
  includeTraceChildren: boolean;
}

/** One page of the logs that pass the filters, and how many pass in all. */
export interface LogPage<T> {
  records: T[];
  total: number;
}

export type QueryRead = { ok: true; query: LogQuery } | { ok: false; errors: ValidationError[] };

/** Humanloop's default page size. */
const DEFAULT_PAGE_SIZE = 10;

/** Reads the query of a `GET /v5/logs` target; each bad value is one error, as FastAPI reports them. */
export function readLogQuery(target: string): QueryRead {
  const queryAt = target.indexOf('?');
  const params = new URLSearchParams(queryAt === -1 ? '' : target.slice(queryAt + 1));
  const errors: ValidationError[] = [];
  const ids = params.getAll('id');
  const query: LogQuery = {
    fileId: params.get('file_id') ?? undefined,
    versionId: params.get('version_id') ?? undefined,
    ids: ids.length > 0 ? new Set(ids) : undefined,
    search: lowered(params.get('search')),
    metadataSearch: lowered(params.get('metadata_search')),
    start: dateParam(params, 'start_date', errors),
    end: dateParam(params, 'end_date', errors),
    page: wholeParam(params, 'page', 1, errors),
    size: wholeParam(params, 'size', DEFAULT_PAGE_SIZE, errors),
    includeTraceChildren: booleanParam(params, 'include_trace_children', errors) ?? false,
  };
  return errors.length > 0 ? { ok: false, errors } : { ok: true, query };
}

/** The stored v5 logs that pass the filters, in arrival order, paged: the store narrows by file and version, the rest is checked here. */
export async function pageOfLogs(store: LogStorage, query: LogQuery): Promise<LogPage<StoredV5Log>> {
  const from = (query.page - 1) * query.size;
  const records: StoredV5Log[] = [];
  let total = 0;
  const filter: LogFilter = { api: 'v5', fileId: query.fileId, versionId: query.versionId };
  let cursor: string | undefined;
  do {
    const page = await store.list({ filter, order: 'oldest', limit: MAX_PAGE_SIZE, cursor });
    for (const { log } of page.logs) {
      const v5 = log as StoredV5Log;
      if (!Object.hasOwn(V5_KINDS, v5.type) || !passes(v5, query)) continue;
      if (total >= from && records.length < query.size) records.push(v5);
      total++;
    }
    cursor = page.next;
  } while (cursor !== undefined);
  return { records, total };
}

function passes(log: Readonly<StoredV5Log>, query: LogQuery): boolean {
  if (query.fileId !== undefined && log.file_id !== query.fileId) return false;
  if (query.versionId !== undefined && log.version_id !== query.versionId) return false;
  if (query.ids && !query.ids.has(log.id)) return false;
  if (query.search !== undefined && !contains([log.inputs, log.output], query.search)) return false;
  if (query.metadataSearch !== undefined && !contains([log.metadata], query.metadataSearch)) return false;
  if (query.start === undefined && query.end === undefined) return true;
  const created = typeof log.created_at === 'string' ? Date.parse(log.created_at) : NaN;
  return !(created < (query.start ?? -Infinity)) && !(created > (query.end ?? Infinity)) && Number.isFinite(created);
}

/** Whether any of the values, as text (strings as they are, the rest as JSON), holds `needle` (lower case). */
function contains(values: unknown[], needle: string): boolean {
  return values.some((value) => {
    if (value === undefined || value === null) return false;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return text.toLowerCase().includes(needle);
  });
}

function lowered(value: string | null): string | undefined {
  return value === null ? undefined : value.toLowerCase();
}

function wholeParam(params: URLSearchParams, name: string, fallback: number, errors: ValidationError[]): number {
  const text = params.get(name);
  if (text === null) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) errors.push({ loc: ['query', name], msg: 'value is not a valid integer', type: 'type_error.integer' });
  else if (value < 1) errors.push({ loc: ['query', name], msg: 'ensure this value is greater than or equal to 1', type: 'value_error.number.not_ge' });
  return value;
}

function dateParam(params: URLSearchParams, name: string, errors: ValidationError[]): number | undefined {
  const text = params.get(name);
  if (text === null) return undefined;
  const value = Date.parse(text);
  if (Number.isFinite(value)) return value;
  errors.push({ loc: ['query', name], msg: 'invalid datetime format', type: 'value_error.datetime' });
  return undefined;
}

/** `true`/`false` as FastAPI reads them (also 1/0, yes/no, on/off). */
function booleanParam(params: URLSearchParams, name: string, errors: ValidationError[]): boolean | undefined {
  const text = params.get(name);
  if (text === null) return undefined;
  const lower = text.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(lower)) return true;
  if (['false', '0', 'no', 'off'].includes(lower)) return false;
  errors.push({ loc: ['query', name], msg: 'value could not be parsed to a boolean', type: 'type_error.bool' });
  return undefined;
}
