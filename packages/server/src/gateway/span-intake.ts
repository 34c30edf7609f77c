import { ExportResultCode, type HumanloopSpanExporter, type ReadableSpan } from 'humanloop-otel-exporter';
import type { Admission, Refusal } from './admission.js';
import type { GatewayCounters } from './gateway-stats.js';
import { decodeRequest, type OtlpFormat, type PartialSuccess } from './otlp-codec.js';
import { convertRequest } from './otlp-spans.js';
import type { SpanBatcher } from './span-batcher.js';

/** What became of one request's body, whichever transport brought it. */
export type IntakeOutcome =
  | { kind: 'accepted'; partial: PartialSuccess | undefined }
  | { kind: 'malformed'; problem: string }
  | { kind: 'throttled'; refusal: Refusal };

/**
 * A request body → spans → admitted (or not) → batched for the exporter, counted on the way.
 * The HTTP and the gRPC receivers share it, so both answer alike.
 */
export class SpanIntake {
  constructor(
    private readonly _admission: Admission,
    private readonly _batcher: SpanBatcher,
    private readonly _counters: GatewayCounters,
  ) {}

  /** A request refused before its body was read (unauthenticated, too large, of an unknown type). */
  refused(): void {
    this._counters.requests.refused++;
  }

  /** A request refused before its body was read because too many are being read. */
  throttled(): void {
    this._counters.requests.throttled++;
  }

  take(body: Uint8Array, format: OtlpFormat): IntakeOutcome {
    const decoded = decodeRequest(body, format);
    if (!decoded.ok) {
      this._counters.requests.refused++;
      return { kind: 'malformed', problem: decoded.problem };
    }
    const { spans, rejected, firstProblem } = convertRequest(decoded.request);
    if (spans.length > 0) {
      const refusal = this._admission.admit(spans.length);
      if (refusal) {
        this._counters.requests.throttled++;
        return { kind: 'throttled', refusal };
      }
      this._batcher.add(spans);
    }
    this._counters.requests.accepted++;
    this._counters.spans.received += spans.length + rejected;
    this._counters.spans.rejected += rejected;
    const partial = rejected > 0 ? { rejectedSpans: rejected, errorMessage: firstProblem ?? 'spans were refused' } : undefined;
    return { kind: 'accepted', partial };
  }
}

/** One export; its spans stay pending until the exporter calls back. */
export function exportSpans(exporter: HumanloopSpanExporter, spans: ReadableSpan[], admission: Admission, counters: GatewayCounters): void {
  exporter.export(spans, (result) => {
    admission.settle(spans.length);
    if (result.code !== ExportResultCode.SUCCESS) counters.spans.failedExports++;
  });
}
