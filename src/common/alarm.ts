import type { Clock } from './clock.js';

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
