import { diag } from '@opentelemetry/api';

/** The exporter's diagnostic logger. Messages carry counts, ids and status codes, never payloads or keys. */
export const logger = diag.createComponentLogger({ namespace: 'humanloop-otel-exporter' });
