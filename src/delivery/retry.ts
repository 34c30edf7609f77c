import { backoffMillis } from '../common/backoff.js';
import type { Clock } from '../common/clock.js';
import { logger } from '../common/diag.js';
import { HumanloopExportError } from '../common/errors.js';
import type { Transport, TransportRequest, TransportResult } from '../transport/http-transport.js';

export interface RetryContext {
  transport: Transport;
  clock: Clock;
  random: () => number;
  timeoutMillis: number;
  /** When the logs of this request are due (their export's deadline): nothing is sent or retried after it. */
  deadline: number;
  /**
   * The cutoff of a flush or shutdown under way (Infinity when none): no request is started and
   * no retry waited for after it, though it may come before the deadline.
   */
  cutoff(): number;
  /** Aborts when a cutoff comes: a retry wait under way wakes then. */
  wakeSignal(): AbortSignal;
  /** True once the API key was refused: nothing more is sent. */
  isHalted(): boolean;
  /** Requests this unit of work may still make (retries, splits, resends): a guard against loops. */
  budget: { requests: number };
}

/** The least time left before the deadline for which a request is still started (or half the request timeout). */
const MIN_ATTEMPT_MILLIS = 1_000;

/** A final answer: success, or a failure that retrying (within the deadline) did not change; `tried`: a request was sent. */
export type Answer = Exclude<TransportResult, { status: 'retryable' }> & { tried: boolean };

/**
 * Sends one request until the answer is not "try again": exponential backoff with full jitter,
 * or the server's `Retry-After`, never sleeping or starting a request past the deadline or the
 * cutoff. A request is given its whole timeout however near the cutoff is (only its deadline
 * bounds it): a slow but healthy API must not look like an outage. What was still "try again"
 * at the end ends as a failure with that error.
 */
export async function sendWithRetry(request: Omit<TransportRequest, 'timeoutMillis'>, ctx: RetryContext): Promise<Answer> {
  let last: HumanloopExportError | undefined;
  for (let attempt = 0; ; attempt++) {
    const stop = stopped(ctx, request.url.host, last);
    if (stop) return stop;
    ctx.budget.requests--;
    const remaining = ctx.deadline - ctx.clock.now();
    const result = await ctx.transport.send({ ...request, timeoutMillis: Math.min(ctx.timeoutMillis, remaining) });
    if (result.status !== 'retryable') return { ...result, tried: true };
    last = result.error;
    const wait = result.retryAfterMillis ?? backoffMillis(attempt, ctx.random);
    if (ctx.clock.now() + wait >= Math.min(ctx.deadline, ctx.cutoff())) return { status: 'failure', body: undefined, error: result.error, tried: true };
    logger.debug(`retrying ${request.method} in ${wait} ms after: ${result.error.message}`);
    await ctx.clock.sleep(wait, ctx.wakeSignal());
  }
}

/** Why no (further) request may be sent, if so; at the deadline, the last attempt's error tells most. */
function stopped(ctx: RetryContext, host: string, last: HumanloopExportError | undefined): Answer | undefined {
  const fail = (error: HumanloopExportError): Answer => ({ status: 'failure', body: undefined, error, tried: last !== undefined });
  if (ctx.isHalted()) return fail(new HumanloopExportError('unauthorized', `Humanloop at ${host} refused the API key`, { host }));
  const now = ctx.clock.now();
  // A request given too little time would be cut off while the server may already have stored it.
  const tooLate = ctx.deadline - now < Math.min(MIN_ATTEMPT_MILLIS, ctx.timeoutMillis / 2) || now >= ctx.cutoff();
  if (tooLate) {
    if (last) return fail(last);
    return fail(new HumanloopExportError('timeout', `the export's deadline passed before Humanloop at ${host} answered`, { host }));
  }
  if (ctx.budget.requests <= 0) return fail(new HumanloopExportError('rejected', 'too many requests for one batch', { host }));
  return undefined;
}
