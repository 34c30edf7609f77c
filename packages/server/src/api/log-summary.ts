/**
 * One shape for a stored log of either API, as the terminal tree and the web page show it: what
 * it is, where it hangs, what it cost. Pure: reads the log, never changes it.
 */
import type { StoredLog, StoredV5Log } from './stored-logs.js';

export type LogApi = 'v4' | 'v5';

/** A stored log and the API it came in by. */
export type AnyStoredLog = { api: 'v4'; log: StoredLog } | { api: 'v5'; log: StoredV5Log };

export interface LogSummary {
  api: LogApi;
  /** The id the server gave it. */
  id: string;
  /** What a child names as its parent: a v4 log's `reference_id` (or id), a v5 log's id. */
  keys: string[];
  /** The parent this log names, if any (a v4 `parent_reference_id` or `trace_parent_id`, a v5 `trace_parent_id`). */
  parent: string | undefined;
  /** The v4 session id, when the log belongs to a session. */
  session: string | undefined;
  /** v4: `model`, `agent`, `tool`, `generic`; v5: `prompt`, `tool`, `flow`, `agent`. */
  kind: string;
  /** The agent class, tool or file path, or the model when there is nothing else. */
  name: string;
  model: string | undefined;
  promptTokens: number | undefined;
  outputTokens: number | undefined;
  /** When it started, as sent (ISO 8601), if known. */
  startTime: string | undefined;
  durationMillis: number | undefined;
  /** `incomplete` while a placeholder or an open flow or agent waits for its completion. */
  status: 'complete' | 'incomplete' | undefined;
  error: string | undefined;
  /** Judgements of the log: v4 feedback on it, v5 evaluator logs under it. */
  judgments: Judgment[];
}

/** One judgement of a log: what judged it, and the verdict (a score, a label...). */
export interface Judgment {
  name: string;
  value: unknown;
  label: string | undefined;
  explanation: string | undefined;
}

export function summarize(entry: AnyStoredLog): LogSummary {
  return entry.api === 'v4' ? summarizeV4(entry.log) : summarizeV5(entry.log);
}

function summarizeV4(log: StoredLog): LogSummary {
  const config = record(log.config);
  const modelConfig = record(config.model_config);
  const model = text(config.model) ?? text(modelConfig.model);
  const kind = text(config.type) ?? 'log';
  const provider = text(config.provider) ?? text(record(config.other).provider);
  const modelName = model !== undefined && provider !== undefined ? `${provider}/${model}` : model;
  const name = text(config.agent_class) ?? text(config.name) ?? modelName ?? kind;
  const placeholder = record(log.metadata).placeholder === true;
  return {
    api: 'v4',
    id: log.id,
    keys: [log.id, ...(typeof log.reference_id === 'string' ? [log.reference_id] : [])],
    parent: text(log.parent_reference_id) ?? text(log.trace_parent_id),
    session: text(log.session_id),
    kind,
    name,
    model: kind === 'model' || kind === 'agent' ? model : undefined,
    promptTokens: count(log.prompt_tokens),
    outputTokens: count(log.output_tokens),
    startTime: text(log.created_at),
    durationMillis: typeof log.duration === 'number' && Number.isFinite(log.duration) ? log.duration * 1000 : undefined,
    status: placeholder ? (log.duration === undefined ? 'incomplete' : 'complete') : undefined,
    error: text(log.error),
    judgments: list(log.feedback).map((item) => {
      const feedback = record(item);
      return { name: text(feedback.type) ?? 'feedback', value: feedback.value, label: undefined, explanation: undefined };
    }),
  };
}

function summarizeV5(log: StoredV5Log): LogSummary {
  const kernel = record(log[log.type]);
  const model = text(kernel.model);
  const started = typeof log.start_time === 'string' ? Date.parse(log.start_time) : NaN;
  const ended = typeof log.end_time === 'string' ? Date.parse(log.end_time) : NaN;
  return {
    api: 'v5',
    id: log.id,
    keys: [log.id],
    parent: text(log.trace_parent_id),
    session: undefined,
    kind: log.type,
    name: text(log.path) ?? log.file_id,
    model,
    promptTokens: count(log.prompt_tokens),
    outputTokens: count(log.output_tokens),
    startTime: text(log.start_time),
    durationMillis: Number.isFinite(ended - started) ? ended - started : undefined,
    status: log.log_status,
    error: text(log.error),
    judgments: list(log.evaluator_logs).map((item) => {
      const judged = record(item);
      const name = text(judged.path)?.split('/').pop() ?? text(judged.file_id) ?? 'evaluator';
      return { name, value: judged.judgment, label: text(record(judged.metadata).label), explanation: text(judged.output) };
    }),
  };
}

function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
