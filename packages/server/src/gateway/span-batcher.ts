import type { ReadableSpan } from 'humanloop-otel-exporter';

/**
 * Spans taken from requests that arrive close together, handed on as one export: OTLP senders
 * send batches concurrently, so a parent may arrive a moment before its children. Within one
 * export the Humanloop exporter sends parents first and links children to them whatever the
 * order; across exports it could not (a v5 flow or agent log would be complete before a late
 * child came). A batch goes after `delayMillis`, or at once when it holds `maxSpans`.
 */
export class SpanBatcher {
  private _spans: ReadableSpan[] = [];
  private _timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly _delayMillis: number,
    private readonly _maxSpans: number,
    private readonly _export: (spans: ReadableSpan[]) => void,
  ) {}

  add(spans: ReadableSpan[]): void {
    for (const span of spans) this._spans.push(span);
    if (this._delayMillis === 0 || this._spans.length >= this._maxSpans) return this.flush();
    this._timer ??= setTimeout(() => this.flush(), this._delayMillis);
    this._timer.unref();
  }

  /** Hands on what is collected now. */
  flush(): void {
    clearTimeout(this._timer);
    this._timer = undefined;
    if (this._spans.length === 0) return;
    const spans = this._spans;
    this._spans = [];
    this._export(spans);
  }
}
