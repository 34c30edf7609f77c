import type { AttributeValue, Context } from '@opentelemetry/api';
import { describeError, logger } from '../shared/diag.js';
import type { ReadableSpan } from '../shared/otel.js';
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

function isWritable(span: ReadableSpan): span is ReadableSpan & WritableSpan {
  return typeof (span as Partial<WritableSpan>).setAttribute === 'function';
}
