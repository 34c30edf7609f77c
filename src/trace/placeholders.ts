import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { LogRequest, UpdateLogRequest } from '../log-request.js';

/** What to do with a span's full log when the span ends. */
export type Completion =
  | { kind: 'none' }
  | { kind: 'send'; update: UpdateLogRequest }
  | { kind: 'deferred' }
  | { kind: 'lost' };

type Logged = { state: 'pending'; completion?: UpdateLogRequest } | { state: 'delivered' } | { state: 'dropped' };

/**
 * Placeholders for LLM spans that run longer than their children may wait. A span processor
 * reports starts; a running span can then be logged with what is known of it, and completed by
 * `PATCH ?reference_id=` (output, error, duration) once it ends. Memory is bounded by `max`.
 */
export class Placeholders {
  private readonly _running = new Map<string, ReadableSpan>();
  private readonly _logged = new Map<string, Logged>();

  constructor(private readonly _max: number) {}

  started(spanId: string, span: ReadableSpan): void {
    this._running.set(spanId, span);
    if (this._running.size > this._max) this._running.delete(this._running.keys().next().value!);
  }

  /** The placeholder log of a running span, from what `map` makes of it so far; undefined if none can be made. */
  take(spanId: string, map: (span: ReadableSpan) => LogRequest | undefined): { log: LogRequest; span: ReadableSpan } | undefined {
    const span = this._running.get(spanId);
    const log = span && map(span);
    if (!span || !log) return undefined;
    this._logged.set(spanId, { state: 'pending' });
    if (this._logged.size > this._max) this._logged.delete(this._logged.keys().next().value!);
    const { output: _output, output_message: _message, error: _error, duration: _duration, ...known } = log;
    const { timing: _timing, ...metadata } = known.metadata ?? {};
    return { log: { ...known, metadata: { ...metadata, placeholder: true } }, span };
  }

  /** The span ended: how its log completes its placeholder, if it had one. */
  ended(spanId: string, log: LogRequest | undefined): Completion {
    this._running.delete(spanId);
    const logged = this._logged.get(spanId);
    if (!logged) return { kind: 'none' };
    const update = completionOf(log);
    switch (logged.state) {
      case 'delivered':
        this._logged.delete(spanId);
        return { kind: 'send', update };
      case 'pending':
        logged.completion = update;
        return { kind: 'deferred' };
      case 'dropped':
        this._logged.delete(spanId);
        return { kind: 'lost' };
    }
  }

  /** Whether this span's log was taken as a placeholder (and has not completed yet). */
  isPlaceholder(spanId: string): boolean {
    return this._logged.has(spanId);
  }

  /**
   * The placeholder's own log settled. A completion that was waiting for it is returned: to
   * send now, or lost with the placeholder. Undefined when none was waiting.
   */
  settled(spanId: string, delivered: boolean): Completion | undefined {
    const logged = this._logged.get(spanId);
    if (logged?.state !== 'pending') return undefined;
    if (!logged.completion) {
      this._logged.set(spanId, delivered ? { state: 'delivered' } : { state: 'dropped' });
      return undefined;
    }
    this._logged.delete(spanId);
    return delivered ? { kind: 'send', update: logged.completion } : { kind: 'lost' };
  }

  get runningCount(): number {
    return this._running.size;
  }
}

function completionOf(log: LogRequest | undefined): UpdateLogRequest {
  const update: UpdateLogRequest = {};
  if (log?.output !== undefined) update.output = log.output;
  if (log?.error !== undefined) update.error = log.error;
  if (log?.duration !== undefined) update.duration = log.duration;
  return update;
}
