import type { ReadableSpan } from '../common/otel.js';
import { describeError, logger } from '../common/diag.js';
import type { SkipReason } from '../log/fate.js';
import type { LogRequest } from '../log/log-request.js';
import { buildLogRequest, type MappingOptions } from './build-log.js';
import { classify } from './classify.js';
import { evaluationsOf, type Evaluation } from './evaluations.js';
import { conversationIdOf } from './identity.js';
import { normalize } from './normalize.js';
import { safeSpanId } from './span-ids.js';

export interface SpanMapperOptions extends MappingOptions {
  spanFilter?: ((span: ReadableSpan) => boolean) | undefined;
  redact?: ((log: LogRequest, span: ReadableSpan) => LogRequest | null) | undefined;
}

export type { SkipReason } from '../log/fate.js';
export type { Evaluation } from './evaluations.js';

/**
 * A span's log and what goes with it: the conversation it names, and the evaluations recorded on
 * the span (`gen_ai.evaluation.result` events), which are not part of the log's body.
 */
export type SpanMapping =
  | { log: LogRequest; conversationId: string | undefined; evaluations: readonly Evaluation[] }
  | { log: undefined; reason: SkipReason };

/**
 * One span to its log, or the reason it has none. Never throws and never mutates the span:
 * a span that cannot be mapped is skipped with a diag warning and the batch goes on.
 */
export function mapSpan(span: ReadableSpan, options: SpanMapperOptions): SpanMapping {
  let log: LogRequest;
  let evaluations: readonly Evaluation[];
  try {
    const convention = classify(span.attributes);
    if (options.spanFilter) {
      if (!options.spanFilter(span)) return { log: undefined, reason: 'filtered' };
    } else if (!convention) {
      return { log: undefined, reason: 'not_llm' };
    }
    log = buildLogRequest(span, normalize(convention ?? 'genai-bare', span.attributes), options);
    evaluations = evaluationsOf(span, options.captureContent);
  } catch (error) {
    logger.warn(`span ${safeSpanId(span) ?? '(unknown)'} could not be mapped and is skipped: ${describeError(error)}`);
    return { log: undefined, reason: 'mapping_error' };
  }
  const redacted = applyRedact(log, span, options.redact);
  if (!redacted) return { log: undefined, reason: 'redacted' };
  return { log: redacted, conversationId: conversationIdOf(span.attributes), evaluations };
}

function applyRedact(log: LogRequest, span: ReadableSpan, redact: SpanMapperOptions['redact']): LogRequest | null {
  if (!redact) return log;
  try {
    const result = redact(log, span);
    // A copy: the pipeline completes its logs in place, and this object is the user's.
    return result ? { ...result } : null;
  } catch (error) {
    // Fail closed: a log the user's redaction could not vouch for does not leave the process.
    logger.warn(`redact threw for span ${safeSpanId(span) ?? '(unknown)'}; the log is dropped: ${describeError(error)}`);
    return null;
  }
}

