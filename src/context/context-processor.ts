import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '../common/otel.js';
import { baggageSelection, type BaggageOption, type BaggageSelection } from './baggage-entries.js';
import { stampContext } from './stamp.js';

export interface HumanloopContextOptions {
  /**
   * Also read the request's context from W3C baggage (a calling service's `withHumanloop` with
   * `propagate: true`, or its own `humanloop.*`, `user.id` and `session.id` entries): true for
   * every entry, or a list of entry names. Baggage comes from whoever calls the service: turn it
   * on only where callers are trusted. Default false.
   */
  baggage?: BaggageOption;
}

/**
 * Only writes the request's Humanloop context (`withHumanloop`, and baggage when asked) on spans
 * as they start, for a provider that sends to Humanloop through `HumanloopSpanExporter` in a
 * `BatchSpanProcessor`. `HumanloopSpanProcessor` does this itself.
 */
export class HumanloopContextSpanProcessor implements SpanProcessor {
  private readonly _baggage: BaggageSelection | undefined;

  constructor(options: HumanloopContextOptions = {}) {
    this._baggage = baggageSelection(options.baggage);
  }

  onStart(span: ReadableSpan, parentContext: Context): void {
    stampContext(span, parentContext, this._baggage);
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
