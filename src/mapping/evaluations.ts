import {
  ATTR_GEN_AI_EVALUATION_EXPLANATION,
  ATTR_GEN_AI_EVALUATION_NAME,
  ATTR_GEN_AI_EVALUATION_SCORE_LABEL,
  ATTR_GEN_AI_EVALUATION_SCORE_VALUE,
  EVENT_GEN_AI_EVALUATION_RESULT,
} from './genai-attributes.js';
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '../common/otel.js';
import type { Evaluation } from '../log/evaluation.js';
import { readNumber, readString } from './attributes.js';

export type { Evaluation } from '../log/evaluation.js';

const NONE: readonly Evaluation[] = Object.freeze([]);

/**
 * The `gen_ai.evaluation.result` events of a span, in order. An event without a name is
 * skipped; a score that is not a finite number is left out.
 */
export function evaluationsOf(span: ReadableSpan, captureContent: boolean): readonly Evaluation[] {
  const events: ReadableSpan['events'] | undefined = Array.isArray(span.events) ? span.events : undefined;
  if (!events || events.length === 0) return NONE;
  let evaluations: Evaluation[] | undefined;
  for (const event of events) {
    if (event?.name !== EVENT_GEN_AI_EVALUATION_RESULT || !event.attributes) continue;
    const evaluation = toEvaluation(event.attributes, captureContent);
    if (evaluation) (evaluations ??= []).push(evaluation);
  }
  return evaluations ?? NONE;
}

function toEvaluation(attributes: Attributes, captureContent: boolean): Evaluation | undefined {
  const name = readString(attributes, ATTR_GEN_AI_EVALUATION_NAME);
  if (!name) return undefined;
  const evaluation: Evaluation = { name };
  const score = readNumber(attributes, ATTR_GEN_AI_EVALUATION_SCORE_VALUE);
  if (score !== undefined) evaluation.score = score;
  const label = readString(attributes, ATTR_GEN_AI_EVALUATION_SCORE_LABEL);
  if (label) evaluation.label = label;
  const explanation = captureContent ? readString(attributes, ATTR_GEN_AI_EVALUATION_EXPLANATION) : undefined;
  if (explanation) evaluation.explanation = explanation;
  return evaluation;
}
