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

/** A decimal whole number written out in full, or NaN: what numeric flags accept. */
export function wholeNumber(text: string): number {
  return /^\d{1,15}$/.test(text) ? Number(text) : NaN;
}

/** What to tell the user when a server of ours could not listen. */
export function listenFailure(error: unknown, port: number, host: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return `Port ${port} on ${host} is already in use. Choose another with --port N (--port 0 picks a free one).`;
  if (code === 'EACCES') return `Not allowed to listen on port ${port}. Choose another with --port N (above 1023).`;
  return error instanceof Error ? error.message : String(error);
}
