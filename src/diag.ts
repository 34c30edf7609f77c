import { diag } from '@opentelemetry/api';

/** The exporter's diagnostic logger. Messages carry counts, ids and status codes, never payloads or keys. */
export const logger = diag.createComponentLogger({ namespace: 'humanloop-otel-exporter' });

/** An error as diag messages show it: its name and code, never its message (which may quote a payload). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const { code } = error as { code?: unknown };
  return typeof code === 'string' ? `${error.name} (${code})` : error.name;
}
