import type { Span } from '@opentelemetry/api';
import fc from 'fast-check';
import type { Dialect } from './harness.js';
import type { SpanKind } from './lifecycle-steps.js';

/**
 * Evaluations in the generated runs (test/reliability/lifecycle.property.test.ts): what a span
 * records as `gen_ai.evaluation.result` events just before it ends, what the run remembers of
 * each, and what the server holds of them. Each evaluation's name is unique in a run and names
 * its span (`judge-<span number>-<i>`), so that the server's records say whose it is.
 */

/** What an evaluation carries: a score (and a label), a label only, or neither (v4 feedback then has no value). */
export type Verdict = 'score' | 'label' | 'none';

/** 0 to 3 evaluations, mostly none or one. */
export const verdicts: fc.Arbitrary<Verdict[]> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Verdict[]>([]) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom<Verdict>('score', 'score', 'label', 'none'), { minLength: 1, maxLength: 3 }) },
);

/** An evaluation a span recorded, and the logs it may be attached to. */
export interface RecordedEvaluation {
  name: string;
  verdict: Verdict;
  /** The span that recorded it. */
  spanId: string;
  /**
   * The span whose log it may end on instead: the enclosing call, for an LLM call directly inside
   * another (the two records of one call are folded into the outer log, with their evaluations).
   */
  foldedInto: string | undefined;
}

/** An evaluation as the server keeps it, on the log of `spanId`. */
export interface ServerJudgment {
  name: string;
  /** The span of the log it is kept on, that log's id, and the log id it names (v4 data_id, v5 parent_id). */
  spanId: string;
  logId: string;
  names: string;
  /** v5: the evaluator log's own id. */
  ownId: string | undefined;
}

/** Records `verdicts` on `span` (span number `n`) as evaluation events; returns what was recorded. */
export function recordEvaluations(
  span: Span,
  n: number,
  kind: SpanKind,
  verdictsOf: readonly Verdict[],
  parent: { spanId: string; kind: SpanKind } | undefined,
): RecordedEvaluation[] {
  const spanId = span.spanContext().spanId;
  const foldedInto = kind === 'chat' && parent?.kind === 'chat' ? parent.spanId : undefined;
  return verdictsOf.map((verdict, i) => {
    const name = `judge-${n}-${i}`;
    const attributes: Record<string, string | number> = { 'gen_ai.evaluation.name': name };
    if (verdict === 'score') attributes['gen_ai.evaluation.score.value'] = n + i;
    if (verdict !== 'none') attributes['gen_ai.evaluation.score.label'] = `label-${n}-${i}`;
    span.addEvent('gen_ai.evaluation.result', attributes);
    return { name, verdict, spanId, foldedInto };
  });
}

/** Whether the API takes this evaluation: v4 feedback needs a value (a score or a label); a v5 evaluator log may have no judgment. */
export function isDeliverable(api: Dialect, verdict: Verdict): boolean {
  return api === 'v5' || verdict !== 'none';
}

/** The evaluations the server holds, on the logs `stored` lists (span id, log id, the log as stored). */
export function serverJudgments(api: Dialect, stored: ReadonlyArray<{ spanId: string; id: string; log: Record<string, unknown> }>): ServerJudgment[] {
  return stored.flatMap(({ spanId, id, log }): ServerJudgment[] => {
    if (api === 'v4') {
      const feedback = Array.isArray(log.feedback) ? (log.feedback as Array<Record<string, unknown>>) : [];
      return feedback.map((item) => ({ name: String(item.type), spanId, logId: id, names: String(item.data_id), ownId: undefined }));
    }
    const judged = Array.isArray(log.evaluator_logs) ? (log.evaluator_logs as Array<Record<string, unknown>>) : [];
    return judged.map((item) => ({ name: String(item.path).split('/').pop()!, spanId, logId: id, names: String(item.parent_id), ownId: String(item.id) }));
  });
}
