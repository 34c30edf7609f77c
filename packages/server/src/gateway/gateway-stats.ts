import type { ExporterStats } from 'humanloop-otel-exporter';

/** What the gateway received and answered, and what its exporter holds and did. */
export interface GatewayStats {
  requests: {
    /** Requests whose spans were taken (some may have been refused in a partial success). */
    accepted: number;
    /** Requests answered 429 or 503 so that the sender retries later. */
    throttled: number;
    /** Requests refused as malformed, too large, of an unknown type, or unauthenticated. */
    refused: number;
  };
  spans: {
    received: number;
    /** Spans refused in a partial success (a missing or malformed id, an unreadable time). */
    rejected: number;
    /** Spans handed to the exporter whose export has not called back yet. */
    pending: number;
    /** Exports that called back with a failure: their spans are counted in `exporter.spans.dropped`. */
    failedExports: number;
  };
  exporter: ExporterStats;
}

export class GatewayCounters {
  readonly requests = { accepted: 0, throttled: 0, refused: 0 };
  readonly spans = { received: 0, rejected: 0, failedExports: 0 };

  snapshot(pending: number, exporter: ExporterStats): GatewayStats {
    return { requests: { ...this.requests }, spans: { ...this.spans, pending }, exporter };
  }
}

/**
 * The stats in the Prometheus text format: every number as a gauge named by its path
 * (`humanloop_gateway_requests_accepted`), drop reasons as a label.
 */
export function prometheusText(stats: GatewayStats): string {
  const lines: string[] = [];
  const walk = (value: unknown, name: string) => {
    if (typeof value === 'number') lines.push(`${name} ${value}`);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (key === 'dropped' && typeof item === 'object' && item !== null) droppedLines(item as Record<string, number>, `${name}_dropped`, lines);
        else walk(item, `${name}_${key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`);
      }
    }
  };
  walk(stats, 'humanloop_gateway');
  return `${lines.join('\n')}\n`;
}

function droppedLines(dropped: Record<string, number>, name: string, lines: string[]): void {
  const entries = Object.entries(dropped);
  if (entries.length === 0) lines.push(`${name} 0`);
  for (const [reason, count] of entries) lines.push(`${name}{reason="${reason.replace(/[^a-z_]/gi, '_')}"} ${count}`);
}
