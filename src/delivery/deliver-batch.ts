import { logger } from '../diag.js';
import { logOf, toOutgoing, type DropReason, type LogOutcome, type OutgoingLog } from './outcome.js';
import { invalidItems, type InvalidItem } from './validation-errors.js';
import { sendWithRetry, type Answer, type RetryContext } from './retry.js';
import { shrinkToFit } from './shrink.js';

export interface BatchContext extends Omit<RetryContext, 'budget'> {
  url: URL;
  onUnauthorized(error: string): void;
}

type Outcomes = Map<string, LogOutcome>;

/** Most requests one batch may turn into (retries, 413 splits, 422 resends): a guard against loops. */
const MAX_REQUESTS_PER_BATCH = 256;

/**
 * Sends one batch with `POST {url}` and works through every answer until each log is delivered
 * or dropped with a reason: retries with backoff, splits on 413, drops only the items a 422 names.
 */
export async function deliverBatch(batch: OutgoingLog[], ctx: BatchContext): Promise<Outcomes> {
  const outcomes: Outcomes = new Map();
  const budget = { requests: MAX_REQUESTS_PER_BATCH };
  await send(batch, ctx, outcomes, budget);
  return outcomes;
}

async function send(batch: OutgoingLog[], ctx: BatchContext, out: Outcomes, budget: { requests: number }) {
  const body = arrayBody(batch);
  const answer = await sendWithRetry({ method: 'POST', url: ctx.url, body }, { ...ctx, budget });
  if (answer.status === 'stopped') return drop(batch, out, answer.reason, answer.error);
  return settle(batch, answer, ctx, out, budget);
}

async function settle(
  batch: OutgoingLog[],
  result: Exclude<Answer, { status: 'stopped' }>,
  ctx: BatchContext,
  out: Outcomes,
  budget: { requests: number },
): Promise<void> {
  if (result.status === 'success') return recordDelivered(batch, result.body, out);
  switch (result.statusCode) {
    case 401:
    case 403:
      ctx.onUnauthorized(result.error);
      return drop(batch, out, 'unauthorized', result.error);
    case 413:
      return splitTooLarge(batch, ctx, out, budget);
    case 422:
      return resendValid(batch, invalidItems(result.body, batch.length), ctx, out, budget);
    default:
      return drop(batch, out, 'rejected', result.error);
  }
}

function recordDelivered(batch: OutgoingLog[], body: unknown, out: Outcomes): void {
  const ids = Array.isArray(body) && body.length === batch.length ? body : [];
  batch.forEach((item, index) => {
    const entry: unknown = ids[index];
    const id = typeof entry === 'object' && entry !== null ? (entry as { id?: unknown }).id : undefined;
    out.set(item.key, { delivered: true, logId: typeof id === 'string' ? id : undefined });
  });
}

async function splitTooLarge(batch: OutgoingLog[], ctx: BatchContext, out: Outcomes, budget: { requests: number }) {
  if (batch.length > 1) {
    const middle = batch.length >> 1;
    await send(batch.slice(0, middle), ctx, out, budget);
    await send(batch.slice(middle), ctx, out, budget);
    return;
  }
  const [item] = batch as [OutgoingLog];
  const smaller = shrinkToFit(item, item.bytes >> 1);
  if (!smaller) return drop(batch, out, 'too_large', 'the log is too large even with its text truncated');
  logger.warn(`log ${item.key} was too large for Humanloop: sending it with its largest texts truncated`);
  await send([smaller], ctx, out, budget);
}

/**
 * A 422 names the items it refused: those are dropped, the rest are sent again. An item refused
 * only for its parent link goes again as a root rather than being lost. With no item named, bisect.
 */
async function resendValid(
  batch: OutgoingLog[],
  invalid: Map<number, InvalidItem>,
  ctx: BatchContext,
  out: Outcomes,
  budget: { requests: number },
): Promise<void> {
  if (invalid.size === 0) {
    if (batch.length === 1) return drop(batch, out, 'invalid', 'Humanloop refused the log (422)');
    const middle = batch.length >> 1;
    await send(batch.slice(0, middle), ctx, out, budget);
    await send(batch.slice(middle), ctx, out, budget);
    return;
  }
  const resend: OutgoingLog[] = [];
  batch.forEach((item, index) => {
    const problem = invalid.get(index);
    if (!problem) resend.push(item);
    else if (problem.onlyParentLink) resend.push(withoutParent(item));
    else dropOne(item, out, 'invalid', problem.message);
  });
  if (resend.length > 0) await send(resend, ctx, out, budget);
}

function withoutParent(item: OutgoingLog): OutgoingLog {
  const { parent_reference_id: _ref, trace_parent_id: _id, ...log } = logOf(item);
  logger.warn(`log ${item.key}: Humanloop refused its parent link; sending it as a root`);
  return toOutgoing(item.key, log);
}

const OPEN = Buffer.from('[');
const CLOSE = Buffer.from(']');
const COMMA = Buffer.from(',');

/** The request body, a JSON array of the logs: their bytes copied once into one buffer. */
function arrayBody(batch: OutgoingLog[]): Buffer {
  const parts: Buffer[] = [OPEN];
  batch.forEach((item, index) => {
    if (index > 0) parts.push(COMMA);
    parts.push(...item.parts);
  });
  parts.push(CLOSE);
  return Buffer.concat(parts);
}

function drop(batch: OutgoingLog[], out: Outcomes, reason: DropReason, error: string): void {
  for (const item of batch) dropOne(item, out, reason, error);
}

function dropOne(item: OutgoingLog, out: Outcomes, reason: DropReason, error: string): void {
  if (reason === 'invalid') logger.warn(`dropped log ${item.key}: ${error}`);
  out.set(item.key, { delivered: false, reason, error });
}
