import { describeError, logger } from './diag.js';

/** Work going on in the background, which flush and shutdown wait for; a failure is reported, never thrown. */
export class Background {
  private readonly _work = new Set<Promise<void>>();

  track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => logger.error(`internal error: ${describeError(error)}`));
    this._work.add(tracked);
    void tracked.finally(() => this._work.delete(tracked));
  }

  /** Resolves once nothing is going on, including what the work started meanwhile. */
  async idle(): Promise<void> {
    for (let round = 0; this._work.size > 0 && round < 10_000; round++) await Promise.all(this._work);
  }
}
