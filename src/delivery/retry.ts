import { logger } from '../diag.js';
import type { Transport, TransportRequest, TransportResult } from '../transport/http-transport.js';
import { backoffMillis } from './backoff.js';
import type { Clock } from './clock.js';
import type { DropReason } from './outcome.js';

export interface RetryContext {
  transport: Transport;
  clock: Clock;
  random: () => number;
  timeoutMillis: number;
  /** Epoch millis after which nothing is sent or retried. */
  deadline: number;
  /** True once the API key was refused: nothing more is sent. */
  isHalted(): boolean;
  /** Requests this unit of work may still make (retries, splits, resends): a guard against loops. */
  budget: { requests: number };
}

/** An answer that is not "try again", or why no answer could be had. */
export type Answer =
  | Exclude<TransportResult, { status: 'retryable' }>
  | { status: 'stopped'; reason: DropReason; error: string };

/**
 * Sends one request until the answer is not "try again": exponential backoff with full jitter,
 * or the server's `Retry-After`, never sleeping or sending past the deadline.
 */
export async function sendWithRetry(request: Omit<TransportRequest, 'timeoutMillis'>, ctx: RetryContext): Promise<Answer> {
  for (let attempt = 0; ; attempt++) {
    const stop = stopReason(ctx);
    if (stop) return stop;
    ctx.budget.requests--;
    const remaining = ctx.deadline - ctx.clock.now();
    const result = await ctx.transport.send({
      ...request,
      timeoutMillis: Math.max(1, Math.min(ctx.timeoutMillis, remaining)),
    });
    if (result.status !== 'retryable') return result;
    const wait = result.retryAfterMillis ?? backoffMillis(attempt, ctx.random);
    if (ctx.clock.now() + wait >= ctx.deadline) return { status: 'stopped', reason: 'deadline', error: result.error };
    logger.debug(`retrying ${request.method} in ${wait} ms after: ${result.error}`);
    await ctx.clock.sleep(wait);
  }
}

function stopReason(ctx: RetryContext): Answer | undefined {
  if (ctx.isHalted()) return { status: 'stopped', reason: 'unauthorized', error: 'the API key was refused' };
  if (ctx.clock.now() >= ctx.deadline) return { status: 'stopped', reason: 'deadline', error: 'export deadline passed' };
  if (ctx.budget.requests <= 0) return { status: 'stopped', reason: 'rejected', error: 'too many requests for one batch' };
  return undefined;
}
