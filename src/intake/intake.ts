import type { ReadableSpan } from '../shared/otel.js';
import type { Dialect } from '../delivery/dialect.js';
import { encodeLog } from '../log/log-json.js';
import { describeError, logger } from '../shared/diag.js';
import type { LogRequest } from '../log/log-request.js';
import { classify } from '../mapping/classify.js';
import { mapSpan, type SkipReason, type SpanMapperOptions } from '../mapping/map-span.js';
import { localParentSpanId } from '../mapping/span-ids.js';
import type { LinkEntry } from '../trace/linker.js';
import { callSignature, type CallSignature } from '../trace/merge-calls.js';
import type { TraceCodec } from '../trace/trace-stage.js';

/**
 * A log as it waits for its place in the trace: its JSON without the link fields (the dialect
 * writes those, and its own body shape, when the log is released). A log is encoded as soon as
 * its span is mapped, so its object graph dies young even in a large export.
 */
export interface Pending {
  body: Buffer;
  /** The file the log goes to, for APIs that file logs by path. */
  path?: string;
  /** Set for an LLM call, so that a nested duplicate can still be folded into it. */
  call: CallSignature | undefined;
}

/** The path a log is filed under, for APIs that file logs by path. */
export type PathOf = (log: LogRequest, span: ReadableSpan) => string;

export type Entry = LinkEntry<Pending>;

/** What one ended span brings: a log, a reason it has none, or nothing readable at all. */
export type Arrival =
  | { kind: 'log'; entry: Entry }
  | { kind: 'skip'; spanId: string; parentSpanId: string | undefined; reason: SkipReason }
  | { kind: 'unreadable' };

/**
 * Spans in, encoded logs out: mapping (with the user's filter and redaction) and encoding in the
 * dialect's bytes. No delivery, no state; it never throws.
 */
export class Intake {
  constructor(
    private readonly _mapper: SpanMapperOptions,
    private readonly _pathOf: PathOf | undefined,
  ) {}

  take(span: ReadableSpan, now: number): Arrival {
    try {
      const spanId = span.spanContext().spanId;
      const mapping = mapSpan(span, this._mapper);
      if (!mapping.log) return { kind: 'skip', spanId, parentSpanId: localParentSpanId(span), reason: mapping.reason };
      return { kind: 'log', entry: this._entry(span, mapping.log, mapping.conversationId, now) };
    } catch (error) {
      logger.warn(`skipped a span that could not be read or encoded: ${describeError(error)}`);
      return { kind: 'unreadable' };
    }
  }

  /** What is known of a span still running, as a log its children can hang under (output, error and duration come later). */
  open(span: ReadableSpan, now: number): Entry | undefined {
    try {
      const mapping = mapSpan(span, this._mapper);
      if (!mapping.log) return undefined;
      const { output: _output, output_message: _message, error: _error, duration: _duration, ...known } = mapping.log;
      const { timing: _timing, ...metadata } = known.metadata ?? {};
      return this._entry(span, { ...known, metadata: { ...metadata, placeholder: true } }, mapping.conversationId, now);
    } catch (error) {
      logger.debug(`could not log a running span: ${describeError(error)}`);
      return undefined;
    }
  }

  /** Whether a span becomes a log, as far as its attributes tell now (for span starts). */
  isExported(span: ReadableSpan): boolean {
    try {
      return this._mapper.spanFilter ? this._mapper.spanFilter(span) : classify(span.attributes) !== undefined;
    } catch {
      return false;
    }
  }

  private _entry(span: ReadableSpan, log: LogRequest, session: string | undefined, now: number): Entry {
    const { spanId, traceId } = span.spanContext();
    const payload: Pending = { body: encodeLog(log), call: callSignature(log) };
    if (this._pathOf) payload.path = this._pathOf(log, span);
    return { spanId, traceId, parentSpanId: localParentSpanId(span), session, arrivedAt: now, payload };
  }
}

/** How the trace stage reads, rewrites, links and completes pending logs, in the dialect's bytes. */
export function traceCodec(dialect: Dialect): TraceCodec<Pending> {
  return {
    decode: (pending) => decodeLog(pending.body),
    encode: (log, replacing) => ({ ...replacing, body: encodeLog(log) }),
    link: (entry, link, open) => dialect.link(entry.spanId, entry.payload, link, open),
    completion: (pending) => dialect.encodeCompletion(decodeLog(pending.body)),
    completed: (opened, completion) => dialect.completed(opened, { key: opened.key, parts: [completion], bytes: completion.length }),
  };
}

function decodeLog(body: Buffer): LogRequest {
  return JSON.parse(body.toString('utf8')) as LogRequest;
}
