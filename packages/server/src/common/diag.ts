import { diag } from '@opentelemetry/api';

/** The server's diagnostics, through OpenTelemetry's diag: counts, hosts and codes, never payloads or keys. */
export const logger = diag.createComponentLogger({ namespace: 'humanloop-log-server' });

/** An error as a diag line shows it: name and code only, since its message may quote a payload. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `${error.name} (${code})` : error.name;
}
