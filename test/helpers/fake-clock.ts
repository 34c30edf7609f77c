import type { Clock } from '../../src/common/clock.js';

interface Timer {
  due: number;
  callback: () => void;
}

/**
 * A clock whose time moves only when a test says so. By default its sleeps return at once and
 * move time forward, so backoff needs no real waiting; with `sleepsWait`, a sleep lasts until
 * the test advances past it (or its signal aborts), so a test can act while a retry waits.
 */
export class FakeClock implements Clock {
  time = Date.parse('2026-11-22T10:00:00Z');
  readonly sleeps: number[] = [];
  /** The time each timer was set for, in the order they were set. */
  readonly timersSet: Array<{ at: number; due: number }> = [];
  private _timers: Timer[] = [];

  constructor(private readonly _options: { sleepsWait?: boolean } = {}) {}

  now(): number {
    return this.time;
  }

  wall(): number {
    return this.time;
  }

  sleep(millis: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(millis);
    if (!this._options.sleepsWait) {
      this.advance(millis);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const cancel = this.setTimer(resolve, millis);
      signal?.addEventListener('abort', () => (cancel(), resolve()), { once: true });
    });
  }

  setTimer(callback: () => void, millis: number): () => void {
    const timer = { due: this.time + millis, callback };
    this.timersSet.push({ at: this.time, due: timer.due });
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

  /** Timers set for a time not after the moment they were set: a timer that fires at once. */
  get timersDueAtOnce(): number {
    return this.timersSet.filter((timer) => timer.due <= timer.at).length;
  }

  get sleptMillis(): number {
    return this.sleeps.reduce((sum, ms) => sum + ms, 0);
  }
}
