/**
 * Judgments kept on the logs they judge: v4 feedback in a log's `feedback`, v5 evaluator logs in
 * its `evaluator_logs` (as Humanloop's log responses carry them: a judgment is no step of the
 * trace). Pure: what a log becomes with one more.
 */
import type { FeedbackCreate, StoredEvaluatorLog, StoredFeedback, StoredV4Log, StoredV5Log } from './types.js';

/** The log with the feedback added, or with its feedback of that type taken away when `unset`. */
export function withFeedback(log: StoredV4Log, item: FeedbackCreate, id: string): { feedback: StoredFeedback; log: StoredV4Log } {
  const { unset, ...fields } = item;
  const feedback: StoredFeedback = { id, ...fields };
  const given: unknown[] = Array.isArray(log.feedback) ? log.feedback : log.feedback === undefined ? [] : [log.feedback];
  const kept = unset ? given.filter((other) => (other as { type?: unknown } | null)?.type !== item.type) : given;
  return { feedback, log: { ...log, feedback: unset ? kept : [...kept, feedback] } };
}

/** The judged log with one more evaluator log. */
export function withEvaluatorLog(parent: StoredV5Log, judgment: StoredEvaluatorLog): StoredV5Log {
  const judged = Array.isArray(parent.evaluator_logs) ? (parent.evaluator_logs as unknown[]) : [];
  return { ...parent, evaluator_logs: [...judged, judgment] };
}

/** The judgment of that id among a log's evaluator logs. */
export function evaluatorLogOf(parent: StoredV5Log, id: string): StoredEvaluatorLog | undefined {
  const judged = Array.isArray(parent.evaluator_logs) ? (parent.evaluator_logs as unknown[]) : [];
  return judged.find((item): item is StoredEvaluatorLog => typeof item === 'object' && item !== null && (item as { id?: unknown }).id === id);
}
