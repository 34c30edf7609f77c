/**
 * `GET /v5/logs`: its query (the filters of Humanloop's list that mean something over the local
 * store, this server's own filters, and the page by number or by cursor), read and checked as
 * FastAPI would, and applied to the stored logs.
 */
import { MAX_PAGE_SIZE, type LogFilter, type LogStorage } from '../store/types.js';
import { booleanParam, paramsOf, readFilter, timeParam, wholeParam } from './list-query.js';
import type { StoredV5Log } from './stored-logs.js';
import { V5_KINDS } from './v5-kinds.js';
import type { ValidationError } from './validate.js';

export interface LogQuery {
  /** What the store narrows by: the file, the version, and this server's own filters (list-query.ts). */
  filter: LogFilter;
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
  /** The `next_cursor` of a page before: the page goes on from there (and `page` is not counted). */
  cursor: string | undefined;
  includeTraceChildren: boolean;
}

/** One page of the logs that pass the filters, how many pass in all, and where the next page starts. */
export interface LogPage<T> {
  records: T[];
  total: number;
  nextCursor: string | undefined;
}

export type QueryRead = { ok: true; query: LogQuery } | { ok: false; errors: ValidationError[] };

/** Humanloop's default page size. */
const DEFAULT_PAGE_SIZE = 10;

/** Reads the query of a `GET /v5/logs` target; each bad value is one error, as FastAPI reports them. */
export function readLogQuery(target: string): QueryRead {
  const params = paramsOf(target);
  const errors: ValidationError[] = [];
  const ids = params.getAll('id');
  const query: LogQuery = {
    filter: readFilter(params, 'v5', errors),
    ids: ids.length > 0 ? new Set(ids) : undefined,
    search: lowered(params.get('search')),
    metadataSearch: lowered(params.get('metadata_search')),
    start: timeParam(params, 'start_date', errors, true),
    end: timeParam(params, 'end_date', errors, true),
    page: wholeParam(params, 'page', 1, Infinity, errors),
    size: wholeParam(params, 'size', DEFAULT_PAGE_SIZE, Infinity, errors),
    cursor: params.get('cursor') ?? undefined,
    includeTraceChildren: booleanParam(params, 'include_trace_children', errors) ?? false,
  };
  return errors.length > 0 ? { ok: false, errors } : { ok: true, query };
}

/**
 * The stored v5 logs that pass the filters, in arrival order, paged. When every filter is the
 * store's, the store counts them and the page is read from its place; otherwise (ids, search,
 * metadata search, dates) every log the store's filters pass is read and checked here.
 */
export async function pageOfLogs(store: LogStorage, query: LogQuery): Promise<LogPage<StoredV5Log>> {
  if (!storeFiltersOnly(query)) return scanPage(store, query);
  const skip = query.cursor === undefined ? (query.page - 1) * query.size : 0;
  const skipped = await walk(store, query.filter, query.cursor, skip, () => undefined);
  const records: StoredV5Log[] = [];
  const read = skipped.next === undefined && skip > 0 ? { next: undefined } : await walk(store, query.filter, skipped.next, query.size, (log) => records.push(log));
  return { records, total: await countLogs(store, query.filter), nextCursor: read.next };
}

function storeFiltersOnly(query: LogQuery): boolean {
  return query.ids === undefined && query.search === undefined && query.metadataSearch === undefined && query.start === undefined && query.end === undefined;
}

/** Logs of a file type (judgments imported as logs are not listed), as the store counts them. */
async function countLogs(store: LogStorage, filter: LogFilter): Promise<number> {
  const all = await store.totals(filter);
  if (filter.kind !== undefined) return filter.kind === 'evaluator' ? 0 : all.logs;
  return all.logs - (await store.totals({ ...filter, kind: 'evaluator' })).logs;
}

/** Reads `count` listed logs from `cursor` on, handing each to `take`; where the walk stopped. */
async function walk(store: LogStorage, filter: LogFilter, cursor: string | undefined, count: number, take: (log: StoredV5Log) => void): Promise<{ next: string | undefined }> {
  let left = count;
  let next = cursor;
  while (left > 0) {
    const page = await store.list({ filter, order: 'oldest', limit: Math.min(left, MAX_PAGE_SIZE), cursor: next });
    for (const { log } of page.logs) {
      if (!isListed(log as StoredV5Log)) continue;
      take(log as StoredV5Log);
      left--;
    }
    next = page.next;
    if (next === undefined) break;
  }
  return { next };
}

async function scanPage(store: LogStorage, query: LogQuery): Promise<LogPage<StoredV5Log>> {
  const from = query.cursor === undefined ? (query.page - 1) * query.size : 0;
  const records: StoredV5Log[] = [];
  let total = 0;
  let cursor = query.cursor;
  do {
    const page = await store.list({ filter: query.filter, order: 'oldest', limit: MAX_PAGE_SIZE, cursor });
    for (const { log } of page.logs) {
      const v5 = log as StoredV5Log;
      if (!isListed(v5) || !passes(v5, query)) continue;
      if (total >= from && records.length < query.size) records.push(v5);
      total++;
    }
    cursor = page.next;
  } while (cursor !== undefined);
  // A scan reads every log: it hands out no cursor (pages go by `page`).
  return { records, total, nextCursor: undefined };
}

function isListed(log: StoredV5Log): boolean {
  return Object.hasOwn(V5_KINDS, log.type);
}

function passes(log: Readonly<StoredV5Log>, query: LogQuery): boolean {
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
