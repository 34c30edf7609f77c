import type { Clock } from './clock.js';
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

/** One timer for whatever is due next: `at(time)` brings it forward, never back. */
export class Alarm {
  private _due = Infinity;
  private _cancel: (() => void) | undefined;

  constructor(
    private readonly _clock: Clock,
    private readonly _ring: () => void,
  ) {}

  at(due: number): void {
    if (due >= this._due) return;
    this._cancel?.();
    this._due = due;
    this._cancel = this._clock.setTimer(() => {
      this._due = Infinity;
      this._cancel = undefined;
      this._ring();
    }, Math.max(0, due - this._clock.now()));
  }

  stop(): void {
    this._cancel?.();
    this._cancel = undefined;
    this._due = Infinity;
  }
}
