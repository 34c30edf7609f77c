/** Taken when this module loads, so that a test's fake timers cannot stall the polling. */
const realSetTimeout = setTimeout;

const POLL_MILLIS = 5;
const DEFAULT_TIMEOUT_MILLIS = 3_000;

/**
 * Polls `condition` with a short real sleep until it holds. Gives up after `timeoutMillis` (or as
 * many polls as fit in it, whichever comes first), throwing `timed out waiting for <what>`.
 */
export async function until(
  condition: () => boolean,
  what: string,
  { timeoutMillis = DEFAULT_TIMEOUT_MILLIS }: { timeoutMillis?: number } = {},
): Promise<void> {
  const deadline = performance.now() + timeoutMillis;
  const maxPolls = Math.ceil(timeoutMillis / POLL_MILLIS);
  for (let polls = 0; !condition(); polls++) {
    if (polls >= maxPolls || performance.now() >= deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => realSetTimeout(resolve, POLL_MILLIS));
  }
}
