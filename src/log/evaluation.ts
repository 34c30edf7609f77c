import type { Fate, SkipReason, SpanDropReason } from './fate.js';

/**
 * Evaluations: judgements of a span's output recorded on the span (GenAI 1.38
 * `gen_ai.evaluation.result` events). They are not part of the log's body: each goes as a request
 * of its own once the log it judges is created (v4: feedback on the log's id; v5: an evaluator log
 * whose parent is that log), and each has a fate of its own, counted apart from spans'.
 */

/** One judgement of the span's output. */
export interface Evaluation {
  /** The evaluation metric, e.g. `Relevance`. */
  name: string;
  score?: number;
  /** The score's meaning, e.g. `relevant`, `pass`. */
  label?: string;
  /** The evaluator's reasons: content, so only when content is captured. */
  explanation?: string;
}

/** An evaluation as it travels with its log: with the file it goes to, for APIs that file by path. */
export type HeldEvaluation = Evaluation & { readonly path?: string };

/** An evaluation ready to go: its own key, and the log it judges, by the id that log's create returned. */
export interface Judgment {
  readonly key: string;
  readonly traceId: string;
  /** The span id of the log it judges. */
  readonly logKey: string;
  readonly logId: string;
  readonly evaluation: HeldEvaluation;
}

/**
 * Why an evaluation was not delivered: its log was not (`log_dropped`: dropped, or its create
 * answered no id), or its own request failed for one of the reasons a log's can.
 */
export type EvaluationDropReason = 'log_dropped' | Exclude<SpanDropReason, SkipReason | 'queue_full'>;

export interface EvaluationCounts {
  /** Evaluations read from spans this process saw, or from a spool. */
  seen: number;
  /** Evaluations Humanloop accepted. */
  delivered: number;
  /** Written to `spoolDir` at shutdown (with their log, or on their own), for the next process. */
  spooled: number;
  dropped: Partial<Record<EvaluationDropReason, number>>;
}

/** Evaluations counted so far: seen = delivered + spooled + dropped + what is still on its way. */
export class EvaluationTally {
  private readonly _counts: EvaluationCounts = { seen: 0, delivered: 0, spooled: 0, dropped: {} };

  seen(count: number): void {
    this._counts.seen += count;
  }

  count(fate: 'delivered' | 'spooled' | EvaluationDropReason, count = 1): void {
    if (count <= 0) return;
    if (fate === 'delivered' || fate === 'spooled') this._counts[fate] += count;
    else this._counts.dropped[fate] = (this._counts.dropped[fate] ?? 0) + count;
  }

  snapshot(): EvaluationCounts {
    return { ...this._counts, dropped: { ...this._counts.dropped } };
  }
}

/** Why an evaluation that was sent failed, from why a log would have. */
export function evaluationDropReason(fate: Fate): EvaluationDropReason {
  switch (fate) {
    case 'delivered':
    case 'merged':
    case 'spooled':
    case 'not_llm':
    case 'filtered':
    case 'redacted':
    case 'mapping_error':
    case 'queue_full':
      return 'rejected';
    default:
      return fate;
  }
}

/** The evaluation's verdict as one value: the score, else the label. */
export function judgmentOf(evaluation: Evaluation): number | string | undefined {
  return evaluation.score ?? evaluation.label;
}
