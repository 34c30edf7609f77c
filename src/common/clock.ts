/**
 * Time as the exporter sees it; tests pass a fake one so that backoff needs no real waiting.
 * `now()` is monotonic (a change of the system clock moves no deadline); `wall()` is the time of
 * day, for what outlives the process (a spool file's age).
 */
export interface Clock {
  now(): number;
  wall(): number;
  /**
   * Waits between retries, or until `signal` aborts (a flush's cutoff). It keeps the process
   * alive: a shutdown awaiting a retry must not be cut short.
   */
  sleep(millis: number, signal?: AbortSignal): Promise<void>;
  /** Runs `callback` once after `millis`; the timer never keeps the process alive. Returns a canceller. */
  setTimer(callback: () => void, millis: number): () => void;
}

export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  wall: () => Date.now(),
  sleep: (millis, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, millis);
      signal?.addEventListener('abort', done, { once: true });
      function done(): void {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
    }),
  setTimer: (callback, millis) => {
    const timer = setTimeout(callback, millis);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
