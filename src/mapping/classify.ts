import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '../common/otel.js';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_SYSTEM,
} from './genai-attributes.js';

/** The attribute convention a span follows; each has one normalizer. */
export type Convention =
  | 'ai-sdk'
  | 'openinference'
  | 'genai'
  | 'traceloop'
  | 'traceloop-legacy'
  | 'genai-bare';

const LEGACY_INDEXED = /^gen_ai\.(prompt|completion)\.\d+\./;

/**
 * Which convention describes this span as an LLM-related step, first match wins; undefined
 * for spans that are not LLM-related (HTTP, DB...), which are not sent.
 */
export function classify(attributes: Attributes): Convention | undefined {
  if (attributes['ai.operationId'] !== undefined) return 'ai-sdk';
  if (attributes['openinference.span.kind'] !== undefined) return 'openinference';
  if (attributes[ATTR_GEN_AI_OPERATION_NAME] !== undefined) return 'genai';
  if (attributes['traceloop.span.kind'] !== undefined) return 'traceloop';
  if (attributes['llm.request.type'] !== undefined || hasLegacyIndexedKey(attributes)) return 'traceloop-legacy';
  if (
    attributes[ATTR_GEN_AI_PROVIDER_NAME] !== undefined ||
    attributes[ATTR_GEN_AI_SYSTEM] !== undefined ||
    attributes[ATTR_GEN_AI_REQUEST_MODEL] !== undefined
  ) {
    return 'genai-bare';
  }
  return undefined;
}

function hasLegacyIndexedKey(attributes: Attributes): boolean {
  for (const key in attributes) if (LEGACY_INDEXED.test(key)) return true;
  return false;
}

/**
 * Whether a span becomes a log, as far as its attributes tell now: your `spanFilter`, or the
 * classifier. A filter that throws refuses the span.
 */
export function isExportedSpan(span: ReadableSpan, spanFilter: ((span: ReadableSpan) => boolean) | undefined): boolean {
  try {
    return spanFilter ? spanFilter(span) : classify(span.attributes) !== undefined;
  } catch {
    return false;
  }
}
