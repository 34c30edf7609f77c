import { diag, DiagConsoleLogger, type DiagLogLevel } from '@opentelemetry/api';
import { registeredGlobally } from './api-globals.js';

/** The exporter's diagnostic logger. Messages carry counts, hosts and status codes, never payloads or keys. */
export const logger = diag.createComponentLogger({ namespace: 'humanloop-otel-exporter' });

/** An error as diag messages show it: its name and code, never its message (which may quote a payload). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const { code } = error as { code?: unknown };
  return typeof code === 'string' ? `${error.name} (${code})` : error.name;
}

/** Whether the application (or another library) has set a diag logger. */
const hasDiagLogger = (): boolean => registeredGlobally('diag');

/** With `HUMANLOOP_LOG_LEVEL` (or `OTEL_LOG_LEVEL`) set and no diag logger yet, diagnostics go to the console. */
export function installConsoleLogger(level: DiagLogLevel | undefined): void {
  if (level === undefined || hasDiagLogger()) return;
  diag.setLogger(new DiagConsoleLogger(), { logLevel: level, suppressOverrideMessage: true });
}

/**
 * What the user must hear of without any set-up (logs lost): a diag warning, and a line on stderr
 * when no diag logger is set. The caller keeps it to a line now and then.
 */
export function tellUser(message: string, level: 'warn' | 'error' = 'warn'): void {
  logger[level](message);
  if (!hasDiagLogger()) process.stderr.write(`humanloop-otel-exporter: ${message}\n`);
}

const reported = new Set<string>();

/**
 * A mistake the user has to fix (no key, a refused key, an environment value that cannot be
 * used): a diag error, and, when no diag logger is set, one line on stderr, once per process.
 */
export function misconfigured(message: string): void {
  logger.error(message);
  if (reported.has(message) || hasDiagLogger()) return;
  reported.add(message);
  process.stderr.write(`humanloop-otel-exporter: ${message}\n`);
}
