import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { StoredLog } from 'humanloop-log-server/testing';

/** The spans' ids, sorted: what the reference_ids of their logs should be. */
export function spanIds(spans: ReadableSpan[]): string[] {
  return spans.map((span) => span.spanContext().spanId).sort();
}

/** The logs' reference_ids, sorted, duplicates kept. */
export function referenceIds(logs: StoredLog[]): string[] {
  return logs.map((log) => String(log.reference_id)).sort();
}

/** The logs by the name of the span each was made from (`metadata.otel.span_name`). */
export function bySpanName(logs: StoredLog[]): Map<string, StoredLog> {
  return new Map(logs.map((log) => [String((log.metadata?.otel as { span_name?: string } | undefined)?.span_name), log]));
}
