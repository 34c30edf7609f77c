/** This server's own reads, alike for both APIs: a log's trace, counts and token sums, and a cursor page's refusal. */
import type { LogApi, LogStorage } from '../store/types.js';
import { cursorError, paramsOf, readFilter } from './list-query.js';
import { detail, unprocessable, type Reply } from './replies.js';
import { totalsBody, traceBody } from './trace-reply.js';
import type { ValidationError } from './validate.js';

/** `GET /v4/logs/{id}/trace`, `GET /v5/logs/{id}/trace`: the trace the log is in, from its root. */
export async function readTrace(api: LogApi, id: string, store: LogStorage): Promise<Reply> {
  const trace = await store.trace(api, id);
  return trace ? { status: 200, body: traceBody(trace) } : detail(404, 'no log with that id');
}

/** `GET /v4/totals`, `GET /v5/totals`: how many logs pass the filters, how many have an error, and their tokens. */
export async function readTotals(api: LogApi, target: string, store: LogStorage): Promise<Reply> {
  const errors: ValidationError[] = [];
  const filter = readFilter(paramsOf(target), api, errors);
  if (errors.length > 0) return unprocessable(errors);
  return { status: 200, body: totalsBody(await store.totals(filter)) };
}

/** The page `read` lists, or a 422 when the cursor it was given is not one the store handed out. */
export async function pagedOrRefused<T>(read: () => Promise<T>): Promise<T | Reply> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof RangeError) return unprocessable([cursorError()]);
    throw error;
  }
}
