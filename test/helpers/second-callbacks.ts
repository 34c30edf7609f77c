import { logger } from '../../src/common/diag.js';

/**
 * The exporter calls each export back through a guard that lets one call through: a second call
 * is a defect, which it reports as a diag error instead of passing it on. A test's own callback
 * therefore never sees a second call; this is where it shows. Counted by watching the
 * exporter's diag logger (whether or not a diag logger is set, so that what the exporter writes
 * to stderr when none is set does not change).
 */
export const CALLED_BACK_TWICE = 'an export was called back twice';

let reported = 0;
const WATCHING = Symbol.for('humanloop-otel-exporter.test.watching-second-callbacks');
const watched = logger as typeof logger & { [WATCHING]?: true };
if (!watched[WATCHING]) {
  const error = logger.error.bind(logger);
  watched.error = (message: string, ...args: unknown[]) => {
    if (String(message).includes(CALLED_BACK_TWICE)) reported++;
    error(message, ...args);
  };
  watched[WATCHING] = true;
}

/** How many second calls of an export's callback the exporter has reported in this test file so far. */
export function secondCallbacks(): number {
  return reported;
}
