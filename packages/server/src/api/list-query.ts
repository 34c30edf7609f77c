/**
 * The local server's list parameters, the same for both APIs: filters (`path`, `file_id`,
 * `version_id`, `kind`, `project`, `session_id`, `trace_id`, `since`, `until`, `error`, `text`) and
 * a cursor page (`cursor`, `limit`, `order`), read from a query string and checked as FastAPI
 * would report them. Pure.
 */
import { MAX_PAGE_SIZE, type LogApi, type LogFilter } from '../store/types.js';
import type { ValidationError } from './validate.js';

export interface CursorQuery {
  filter: LogFilter;
  cursor: string | undefined;
  limit: number;
  order: 'oldest' | 'newest';
}

export type Read<T> = { ok: true; value: T } | { ok: false; errors: ValidationError[] };

const TEXT_FILTERS = { path: 'path', file_id: 'fileId', version_id: 'versionId', kind: 'kind', project: 'project', session_id: 'sessionId', trace_id: 'traceId', text: 'text' } as const;

/** The filters a query gives, for the logs of `api`. */
export function readFilter(params: URLSearchParams, api: LogApi, errors: ValidationError[]): LogFilter {
  const filter: LogFilter = { api };
  for (const [param, field] of Object.entries(TEXT_FILTERS)) {
    const value = params.get(param);
    if (value !== null) filter[field] = value;
  }
  const since = timeParam(params, 'since', errors);
  const until = timeParam(params, 'until', errors);
  const error = booleanParam(params, 'error', errors);
  return { ...filter, ...defined({ since, until, error }) };
}

/** `cursor`, `limit` (1 to MAX_PAGE_SIZE) and `order` (`oldest` or `newest`), with the filters. */
export function readCursorQuery(target: string, api: LogApi, defaults: { limit: number; order: 'oldest' | 'newest' }): Read<CursorQuery> {
  const params = paramsOf(target);
  const errors: ValidationError[] = [];
  const filter = readFilter(params, api, errors);
  const limit = wholeParam(params, 'limit', defaults.limit, MAX_PAGE_SIZE, errors);
  const order = params.get('order') ?? defaults.order;
  if (order !== 'oldest' && order !== 'newest') errors.push(queryError('order', 'must be oldest or newest', 'type_error.enum'));
  const cursor = params.get('cursor') ?? undefined;
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { filter, cursor, limit, order: order as 'oldest' | 'newest' } };
}

export function paramsOf(target: string): URLSearchParams {
  const queryAt = target.indexOf('?');
  return new URLSearchParams(queryAt === -1 ? '' : target.slice(queryAt + 1));
}

/** A cursor the store did not hand out: the store throws a RangeError on it. */
export function cursorError(): ValidationError {
  return queryError('cursor', 'is not a cursor this server handed out', 'value_error.cursor');
}

export function wholeParam(params: URLSearchParams, name: string, fallback: number, max: number, errors: ValidationError[]): number {
  const text = params.get(name);
  if (text === null) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value)) errors.push(queryError(name, 'value is not a valid integer', 'type_error.integer'));
  else if (value < 1) errors.push(queryError(name, 'ensure this value is greater than or equal to 1', 'value_error.number.not_ge'));
  else if (value > max) errors.push(queryError(name, `ensure this value is less than or equal to ${max}`, 'value_error.number.not_le'));
  return value;
}

/** An ISO 8601 time, or epoch milliseconds unless `isoOnly` (Humanloop's dates). */
export function timeParam(params: URLSearchParams, name: string, errors: ValidationError[], isoOnly = false): number | undefined {
  const text = params.get(name);
  if (text === null) return undefined;
  const value = /^\d+$/.test(text) && !isoOnly ? Number(text) : Date.parse(text);
  if (Number.isFinite(value)) return value;
  errors.push(queryError(name, 'invalid datetime format', 'value_error.datetime'));
  return undefined;
}

/** `true`/`false` as FastAPI reads them (also 1/0, yes/no, on/off). */
export function booleanParam(params: URLSearchParams, name: string, errors: ValidationError[]): boolean | undefined {
  const text = params.get(name);
  if (text === null) return undefined;
  const lower = text.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(lower)) return true;
  if (['false', '0', 'no', 'off'].includes(lower)) return false;
  errors.push(queryError(name, 'value could not be parsed to a boolean', 'type_error.bool'));
  return undefined;
}

function queryError(name: string, msg: string, type: string): ValidationError {
  return { loc: ['query', name], msg, type };
}

function defined<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}
