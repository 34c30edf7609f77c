/** Time as the delivery code sees it; tests pass a fake one so backoff needs no real waiting. */
export interface Clock {
  now(): number;
  /** Waits between retries. It keeps the process alive: a shutdown awaiting a retry must not be cut short. */
  sleep(millis: number): Promise<void>;
  /** Runs `callback` once after `millis`; the timer never keeps the process alive. Returns a canceller. */
  setTimer(callback: () => void, millis: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (millis) => new Promise((resolve) => setTimeout(resolve, millis)),
  setTimer: (callback, millis) => {
    const timer = setTimeout(callback, millis);
    timer.unref();
    return () => clearTimeout(timer);
  },
};
