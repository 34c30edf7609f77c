import type { UpdateLogRequest } from '../log-request.js';
import type { LogOutcome } from './outcome.js';
import type { BatchContext } from './deliver-batch.js';
import { sendWithRetry } from './retry.js';

/** Budget for one update: retries only. */
const MAX_REQUESTS_PER_UPDATE = 32;

/**
 * Completes a log sent earlier (a placeholder for a span that was still running) with
 * `PATCH {url}?reference_id=...`: its output, error and duration.
 */
export async function deliverUpdate(referenceId: string, update: UpdateLogRequest, ctx: BatchContext): Promise<LogOutcome> {
  const url = new URL(ctx.url);
  url.searchParams.set('reference_id', referenceId);
  const budget = { requests: MAX_REQUESTS_PER_UPDATE };
  const answer = await sendWithRetry({ method: 'PATCH', url, body: JSON.stringify(update) }, { ...ctx, budget });
  switch (answer.status) {
    case 'success':
      return { delivered: true, logId: logIdOf(answer.body) };
    case 'stopped':
      return { delivered: false, reason: answer.reason, error: answer.error };
    case 'failure':
      if (answer.statusCode === 401 || answer.statusCode === 403) {
        ctx.onUnauthorized(answer.error);
        return { delivered: false, reason: 'unauthorized', error: answer.error };
      }
      return { delivered: false, reason: 'rejected', error: answer.error };
  }
}

function logIdOf(body: unknown): string | undefined {
  const id = typeof body === 'object' && body !== null ? (body as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}
