import { trace, type AttributeValue, type Attributes, type Context } from '@opentelemetry/api';
import { CONTEXT_ATTRIBUTES } from '../log/context-attributes.js';
import { userIdOf } from '../mapping/identity.js';
import { describeError, logger } from '../common/diag.js';
import { isRecord } from '../common/json.js';
import type { ReadableSpan } from '../common/otel.js';
import { readBaggage, type BaggageSelection } from './baggage-entries.js';
import { attributesOf, isEmpty, mergeValues } from './context-values.js';
import { contextValuesIn } from './with-humanloop.js';

/** A starting span as the SDK hands it to `onStart`: writable. */
interface WritableSpan {
  setAttribute(key: string, value: AttributeValue): unknown;
}

/**
 * Writes the request's Humanloop context on a starting span as `humanloop.*` attributes: the
 * values `withHumanloop` set in the span's parent context, over those in its baggage when
 * `baggage` says which to read. An attribute the span started with is kept. Never throws.
 */
export function stampContext(span: ReadableSpan, parentContext: Context | undefined, baggage: BaggageSelection | undefined): void {
  if (!parentContext) return;
  try {
    inheritRunUser(span, parentContext);
    const own = contextValuesIn(parentContext);
    const values = baggage ? mergeValues(readBaggage(parentContext, baggage), own) : own;
    if (isEmpty(values) || !isWritable(span)) return;
    const attributes = attributesOf(values);
    for (const key of Object.keys(attributes)) {
      const value = attributes[key];
      if (value !== undefined && span.attributes[key] === undefined) span.setAttribute(key, value);
    }
  } catch (error) {
    logger.debug(`could not write the request context on a span: ${describeError(error)}`);
  }
}

/**
 * A span that names no user at its start takes its running parent's (the one the parent names,
 * or the run's it inherited): a model call inside an agent run is that user's too.
 */
function inheritRunUser(span: ReadableSpan, parentContext: Context): void {
  // The SDK's running span is readable too; another API's may not be.
  const parent = trace.getSpan(parentContext) as { attributes?: unknown } | undefined;
  if (!isRecord(parent?.attributes) || userIdOf(span.attributes) !== undefined) return;
  const user = userIdOf(parent.attributes as Attributes);
  if (user !== undefined && isWritable(span)) span.setAttribute(CONTEXT_ATTRIBUTES.runUser, user);
}

function isWritable(span: ReadableSpan): span is ReadableSpan & WritableSpan {
  return typeof (span as Partial<WritableSpan>).setAttribute === 'function';
}
