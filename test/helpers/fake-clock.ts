import type { Clock } from '../../src/delivery/clock.js';

/** A clock whose sleeps return at once and move time forward, so backoff needs no real waiting. */
export class FakeClock implements Clock {
  time = Date.parse('2026-11-22T10:00:00Z');
  readonly sleeps: number[] = [];
  private _timers: Array<{ due: number; callback: () => void }> = [];

  now(): number {
    return this.time;
  }

  sleep(millis: number): Promise<void> {
    this.sleeps.push(millis);
    this.advance(millis);
    return Promise.resolve();
  }

  setTimer(callback: () => void, millis: number): () => void {
    const timer = { due: this.time + millis, callback };
    this._timers.push(timer);
    return () => {
      this._timers = this._timers.filter((t) => t !== timer);
    };
  }

  /** Moves time forward, firing the timers that fall due. */
  advance(millis: number): void {
    this.time += millis;
    const due = this._timers.filter((t) => t.due <= this.time);
    this._timers = this._timers.filter((t) => t.due > this.time);
    for (const timer of due) timer.callback();
  }

  get sleptMillis(): number {
    return this.sleeps.reduce((sum, ms) => sum + ms, 0);
  }
}
