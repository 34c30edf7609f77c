// What every CLI command provides: a one-line summary for the command list and a runner that
// returns the process exit code (0 done, 1 failed, 2 bad arguments).
export interface CliCommand {
  summary: string;
  run(argv: string[]): Promise<number>;
}

export function usageError(message: string, usage: string): number {
  console.error(`${message}\n\n${usage}`);
  return 2;
}

/** Resolves on the first SIGINT or SIGTERM: how a long-running command knows to stop. */
export function untilSignalled(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}
