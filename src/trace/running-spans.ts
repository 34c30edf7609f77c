import type { ReadableSpan } from '../common/otel.js';

/**
 * Spans started and not yet ended, as a span processor reports them: the live span, to classify
 * it again (attributes may be set after a span starts) or to log what is known of it. Referenced
 * weakly: a span the application let go of without ending it can never end, and must not be
 * kept alive here (an HTTP or DB span that never ends would otherwise cost its whole object).
 * Bounded by `max`, oldest out first.
 */
export class RunningSpans {
  private readonly _spans = new Map<string, WeakRef<ReadableSpan>>();
  private readonly _collected = new FinalizationRegistry<string>((spanId) => {
    if (this._spans.get(spanId)?.deref() === undefined) this._spans.delete(spanId);
  });

  constructor(private readonly _max: number) {}

  started(spanId: string, span: ReadableSpan): void {
    this._spans.set(spanId, new WeakRef(span));
    this._collected.register(span, spanId);
    if (this._spans.size > this._max) this._spans.delete(this._spans.keys().next().value!);
  }

  get(spanId: string): ReadableSpan | undefined {
    return this._spans.get(spanId)?.deref();
  }

  ended(spanId: string): void {
    this._spans.delete(spanId);
  }

  get count(): number {
    return this._spans.size;
  }
}
