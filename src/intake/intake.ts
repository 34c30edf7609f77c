import type { SkipReason } from '../log/fate.js';
import { callSignature } from '../log/call-signature.js';
import { encodeLog } from '../log/log-json.js';
import type { LogRequest } from '../log/log-request.js';
import type { UnlinkedLog } from '../log/unlinked-log.js';
import type { Evaluation } from '../log/evaluation.js';
import { evaluatorPath } from '../mapping/file-path.js';
import { mapSpan, type SpanMapperOptions } from '../mapping/map-span.js';
import { localParentSpanId, safeParentSpanId, safeSpanId } from '../mapping/span-ids.js';
import { durationSeconds } from '../mapping/time.js';
import { describeError, logger } from '../common/diag.js';
import type { ReadableSpan } from '../common/otel.js';

/** The path a log is filed under, for APIs that file logs by path. */
export type PathOf = (log: LogRequest, span: ReadableSpan) => string;

/** What one ended span brings: a log, a reason it has none, or nothing readable at all. */
export type Arrival =
  | { kind: 'log'; log: UnlinkedLog }
  | { kind: 'skip'; spanId: string; parentSpanId: string | undefined; reason: SkipReason; durationSeconds: number | undefined }
  | { kind: 'unreadable' };

/**
 * Spans in, created logs out: mapping (with your filter and redaction) and encoding. No delivery,
 * no state; it never throws.
 */
export class Intake {
  constructor(
    private readonly _mapper: SpanMapperOptions,
    private readonly _pathOf: PathOf | undefined,
  ) {}

  take(span: ReadableSpan, now: number): Arrival {
    const spanId = safeSpanId(span);
    if (spanId === undefined) {
      logger.warn('skipped a span that could not be read');
      return { kind: 'unreadable' };
    }
    let reason: SkipReason;
    try {
      const mapping = mapSpan(span, this._mapper);
      if (mapping.log) return { kind: 'log', log: this._withEvaluations(this._unlinked(span, mapping.log, mapping.conversationId, now), mapping.log, mapping.evaluations) };
      reason = mapping.reason;
    } catch (error) {
      logger.warn(`skipped span ${spanId}: its log could not be encoded: ${describeError(error)}`);
      reason = 'mapping_error';
    }
    return { kind: 'skip', spanId, parentSpanId: safeParentSpanId(span), reason, durationSeconds: spanSeconds(span) };
  }

  /** What is known of a span still running, as an open log its children can go under (output, error and duration come with its end). */
  open(span: ReadableSpan, now: number): UnlinkedLog | undefined {
    try {
      const mapping = mapSpan(span, this._mapper);
      if (!mapping.log) return undefined;
      const { output: _output, output_message: _message, error: _error, duration: _duration, ...known } = mapping.log;
      const { timing: _timing, ...metadata } = known.metadata ?? {};
      return this._unlinked(span, { ...known, metadata: { ...metadata, placeholder: true } }, mapping.conversationId, now);
    } catch (error) {
      logger.debug(`could not log a running span: ${describeError(error)}`);
      return undefined;
    }
  }

  /** The span's evaluations go with its whole log (never with what is logged of it while it runs). */
  private _withEvaluations(unlinked: UnlinkedLog, log: LogRequest, evaluations: readonly Evaluation[]): UnlinkedLog {
    if (evaluations.length === 0) return unlinked;
    const filed = this._pathOf ? evaluations.map((evaluation) => ({ ...evaluation, path: evaluatorPath(log.project, evaluation.name) })) : evaluations;
    return { ...unlinked, evaluations: filed };
  }

  private _unlinked(span: ReadableSpan, log: LogRequest, session: string | undefined, now: number): UnlinkedLog {
    const { spanId, traceId } = span.spanContext();
    const unlinked: UnlinkedLog = { spanId, traceId, parentSpanId: localParentSpanId(span), session, createdAt: now, body: encodeLog(log), call: callSignature(log) };
    return this._pathOf ? { ...unlinked, path: this._pathOf(log, span) } : unlinked;
  }
}

/** How long the span ran, in seconds (0 for an end before the start); undefined when its times cannot be read. */
function spanSeconds(span: ReadableSpan): number | undefined {
  try {
    const seconds = durationSeconds(span.startTime, span.endTime);
    return seconds === undefined ? undefined : Math.max(0, seconds);
  } catch {
    return undefined;
  }
}
