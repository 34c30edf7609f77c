import type { LogOutcome, OutgoingLog } from '../log/outgoing-log.js';
import { logger } from '../common/diag.js';
import { HumanloopExportError } from '../common/errors.js';
import type { Dialect, Refusal } from './dialect.js';
import { sendWithRetry, type Answer, type RetryContext } from './retry.js';
import { shrinkToFit } from './shrink.js';

export interface DeliveryContext extends Omit<RetryContext, 'budget'> {
  dialect: Dialect;
  maxBatchBytes: number;
}

type Outcomes = Map<string, LogOutcome>;

/** How a batch fared: each log's outcome, and the smallest request of several logs the API refused as too large (413), if any. */
export interface Delivery {
  outcomes: Outcomes;
  refusedBytes: number | undefined;
}

interface Work {
  ctx: DeliveryContext;
  out: Outcomes;
  budget: { requests: number };
  refusedBytes: number | undefined;
}

/** Most requests one batch may turn into (retries, 413 splits, 422 resends): a guard against loops. */
const MAX_REQUESTS_PER_BATCH = 256;

/**
 * Sends one batch (logs to create, or one completion) and works through every answer until each
 * is delivered or not, with a reason: retries with backoff, splits on 413 and truncates what is
 * still too large, leaves out what a 422 names. Never throws: a defect becomes an `internal` outcome.
 */
export async function deliverBatch(batch: readonly OutgoingLog[], ctx: DeliveryContext): Promise<Delivery> {
  const work: Work = { ctx, out: new Map(), budget: { requests: MAX_REQUESTS_PER_BATCH }, refusedBytes: undefined };
  try {
    await send(batch, work);
  } catch (error) {
    const failure = new HumanloopExportError('internal', `internal error while delivering: ${String((error as Error)?.name)}`);
    for (const item of batch) if (!work.out.has(item.key)) work.out.set(item.key, { delivered: false, error: failure, tried: true });
  }
  return { outcomes: work.out, refusedBytes: work.refusedBytes };
}

async function send(batch: readonly OutgoingLog[], work: Work): Promise<void> {
  const sized = fitted(batch, work);
  if (!sized) return;
  const { dialect } = work.ctx;
  const request = sized[0]?.completes ? dialect.completeRequest(sized[0]) : dialect.createRequest(sized);
  const answer = await sendWithRetry(request, { ...work.ctx, budget: work.budget });
  if (answer.status !== 'success' && answer.error.statusCode === 413 && sized.length > 1) {
    work.refusedBytes = Math.min(work.refusedBytes ?? Infinity, request.body.length);
  }
  return settle(sized, answer, work);
}

/** A single log over the byte limit is truncated first; undefined when it cannot be. */
function fitted(batch: readonly OutgoingLog[], work: Work): readonly OutgoingLog[] | undefined {
  const limit = work.ctx.maxBatchBytes - 2;
  if (batch.length !== 1 || batch[0].bytes <= limit) return batch;
  const smaller = shrinkToFit(batch[0], limit);
  if (smaller) return [smaller];
  tooLarge(batch[0], work.out);
  return undefined;
}

async function settle(batch: readonly OutgoingLog[], answer: Answer, work: Work): Promise<void> {
  if (answer.status === 'success') {
    const created = work.ctx.dialect.created(answer.body, batch);
    batch.forEach((item, index) => work.out.set(item.key, { delivered: true, created: created[index] ?? { logId: undefined } }));
    return;
  }
  switch (answer.error.statusCode) {
    case 413:
      return splitTooLarge(batch, work);
    case 422:
      return resendValid(batch, work.ctx.dialect.refusals(answer.body, batch), work);
    default:
      for (const item of batch) work.out.set(item.key, { delivered: false, error: answer.error, tried: answer.tried });
  }
}

async function splitTooLarge(batch: readonly OutgoingLog[], work: Work): Promise<void> {
  if (batch.length > 1) return bisect(batch, work);
  const [item] = batch as [OutgoingLog];
  const smaller = shrinkToFit(item, item.bytes >> 1);
  if (!smaller) return tooLarge(item, work.out);
  logger.warn(`log ${item.key} was too large for Humanloop: sending it with its largest texts truncated`);
  await send([smaller], work);
}

/**
 * A 422 names the logs it refused and their fields: such a log goes again without those fields
 * (once); one refused as a whole, or again, is dropped. The rest go again. With none named, bisect.
 */
async function resendValid(batch: readonly OutgoingLog[], refusals: Map<number, Refusal>, work: Work): Promise<void> {
  if (refusals.size === 0) {
    if (batch.length > 1) return bisect(batch, work);
    return refuse(batch[0], { fields: [], message: 'Humanloop refused the log (422)' }, work.out);
  }
  const resend: OutgoingLog[] = [];
  batch.forEach((item, index) => {
    const refusal = refusals.get(index);
    const created = refusal && work.ctx.dialect.existing(item, refusal);
    if (created) return void work.out.set(item.key, { delivered: true, created });
    const fixed = refusal ? work.ctx.dialect.withoutFields(item, refusal.fields) : item;
    if (!fixed) return refuse(item, refusal!, work.out);
    if (refusal) logger.warn(`log ${item.key}: Humanloop refused ${refusal.fields.join(', ')}; sending it without`);
    resend.push(fixed);
  });
  if (resend.length > 0) await send(resend, work);
}

async function bisect(batch: readonly OutgoingLog[], work: Work): Promise<void> {
  const middle = batch.length >> 1;
  await send(batch.slice(0, middle), work);
  await send(batch.slice(middle), work);
}

function refuse(item: OutgoingLog, refusal: Refusal, out: Outcomes): void {
  logger.warn(`dropped log ${item.key}: ${refusal.message}`);
  out.set(item.key, { delivered: false, error: new HumanloopExportError('invalid', refusal.message), tried: true });
}

function tooLarge(item: OutgoingLog, out: Outcomes): void {
  const message = 'the log is too large for one request even with its texts truncated';
  out.set(item.key, { delivered: false, error: new HumanloopExportError('too_large', message), tried: true });
}
