const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Runs `shutdown` once when the process is told to stop (SIGTERM, SIGINT) or runs out of work
 * (`beforeExit`), keeping what the process would have done without these hooks: after a signal,
 * if the application listens for it itself, its own handler decides what happens next; otherwise
 * the signal is raised again and ends the process as it would have. A second signal during the
 * shutdown finds no hook left, so Ctrl-C twice still stops the process at once. `process.exit()`
 * runs no hook: call `shutdown` before it. Returns a function that removes the hooks.
 */
export function shutdownOnExit(shutdown: () => Promise<void>): () => void {
  const remove = (): void => {
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
    process.removeListener('beforeExit', onBeforeExit);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    // Listened to first (prepended), so every listener of the application is still registered here.
    const applicationHandles = process.listenerCount(signal) > 1;
    remove();
    void shutdown().then(() => {
      if (!applicationHandles && process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  };
  const onBeforeExit = (): void => {
    remove();
    void shutdown();
  };
  for (const signal of SIGNALS) process.prependListener(signal, onSignal);
  // Before the exporter's own check for a missing shutdown(), which this shutdown makes moot.
  process.prependListener('beforeExit', onBeforeExit);
  return remove;
}
