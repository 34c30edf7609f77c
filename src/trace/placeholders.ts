import type { ReadableSpan } from '../otel.js';
import type { CreatedLog } from '../delivery/dialect.js';
import type { LinkEntry } from './linker.js';

/**
 * A span that ended while its placeholder was still on its way: its whole log, completing the
 * placeholder once that is delivered, or sent as an ordinary log if the placeholder never is.
 */
export interface DeferredEnd<T> {
  entry: LinkEntry<T>;
}

/** What a span's end means for the placeholder logged for it while it ran. */
export type EndOfOpened =
  | { kind: 'none' }
  /** The placeholder was delivered: send the completion now. */
  | { kind: 'complete'; created: CreatedLog }
  /** The placeholder is still on its way: the end waits for it (see `settled`). */
  | { kind: 'deferred' };

/** What the placeholder's own outcome means for the span's end, if it came first. */
export type AfterPlaceholder<T> =
  | { kind: 'none' }
  | { kind: 'complete'; deferred: DeferredEnd<T>; created: CreatedLog }
  | { kind: 'relog'; deferred: DeferredEnd<T> };

type Opened<T> = { state: 'pending'; deferred?: DeferredEnd<T> } | { state: 'delivered'; created: CreatedLog };

/**
 * Running spans, as a span processor reports their starts, and the placeholders logged for
 * those that run longer than their children may wait: what is known of the span, completed
 * once it ends (output, error, duration). Memory is bounded by `max`, oldest out first.
 */
export class Placeholders<T> {
  private readonly _running = new Map<string, ReadableSpan>();
  private readonly _opened = new Map<string, Opened<T>>();

  constructor(private readonly _max: number) {}

  started(spanId: string, span: ReadableSpan): void {
    this._running.set(spanId, span);
    if (this._running.size > this._max) this._running.delete(this._running.keys().next().value!);
  }

  /** The live span of a running span, to classify or map it as it is now. */
  running(spanId: string): ReadableSpan | undefined {
    return this._running.get(spanId);
  }

  /** A placeholder for this running span was made and goes out now. */
  opened(spanId: string): void {
    this._opened.set(spanId, { state: 'pending' });
    if (this._opened.size > this._max) this._opened.delete(this._opened.keys().next().value!);
  }

  /** Whether this span was logged as a placeholder and has not been completed. */
  isOpen(spanId: string): boolean {
    return this._opened.has(spanId);
  }

  /** Whether the span ended while its placeholder was on its way (its end waits for it). */
  isDeferred(spanId: string): boolean {
    const opened = this._opened.get(spanId);
    return opened?.state === 'pending' && opened.deferred !== undefined;
  }

  /** The span ended with this log: how it completes its placeholder, if it had one. */
  ended(spanId: string, deferred: () => DeferredEnd<T>): EndOfOpened {
    this._running.delete(spanId);
    const opened = this._opened.get(spanId);
    if (!opened) return { kind: 'none' };
    if (opened.state === 'delivered') {
      this._opened.delete(spanId);
      return { kind: 'complete', created: opened.created };
    }
    opened.deferred = deferred();
    return { kind: 'deferred' };
  }

  /** The span ended without a log (filtered, redacted, dropped by a queue): nothing completes its placeholder. */
  endedWithoutLog(spanId: string): void {
    this._running.delete(spanId);
    this._opened.delete(spanId);
  }

  /** The placeholder's own log was delivered, or finally dropped. */
  settled(spanId: string, created: CreatedLog | undefined): AfterPlaceholder<T> {
    const opened = this._opened.get(spanId);
    if (opened?.state !== 'pending') return { kind: 'none' };
    const { deferred } = opened;
    if (created && !deferred) {
      this._opened.set(spanId, { state: 'delivered', created });
      return { kind: 'none' };
    }
    this._opened.delete(spanId);
    if (!deferred) return { kind: 'none' };
    return created ? { kind: 'complete', deferred, created } : { kind: 'relog', deferred };
  }

  /** At shutdown: the end waiting for a placeholder that is about to be spooled, taken. */
  takeDeferred(spanId: string): DeferredEnd<T> | undefined {
    const opened = this._opened.get(spanId);
    if (opened?.state !== 'pending' || !opened.deferred) return undefined;
    this._opened.delete(spanId);
    return opened.deferred;
  }

  get runningCount(): number {
    return this._running.size;
  }
}
