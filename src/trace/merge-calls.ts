import type { LogRequest, ModelConfig } from '../log/log-request.js';

/**
 * One LLM call, one log: when two instrumentations record the same call as nested LLM spans
 * (a framework's LLM span around a client library's), the inner one is folded into the outer.
 */

/** The union of both logs: the outer's values win, the inner's fill what the outer lacks. */
export function mergeCalls(outer: LogRequest, inner: LogRequest): LogRequest {
  const merged: LogRequest = { ...inner, ...definedFields(outer) };
  merged.config = mergeConfig(outer, inner);
  if (!outer.messages?.length && inner.messages?.length) merged.messages = inner.messages;
  merged.metadata = {
    ...inner.metadata,
    ...outer.metadata,
    merged_span_ids: [...mergedIds(outer), inner.reference_id],
  };
  return merged;
}

function mergeConfig(outer: LogRequest, inner: LogRequest): LogRequest['config'] {
  if (outer.config.type === 'model' && inner.config.type === 'model') {
    const config: ModelConfig = { ...inner.config, ...definedFields(outer.config) };
    if (inner.config.other || outer.config.other) config.other = { ...inner.config.other, ...outer.config.other };
    return config;
  }
  return outer.config.type === 'model' ? outer.config : inner.config;
}

function mergedIds(log: LogRequest): unknown[] {
  const ids = log.metadata?.merged_span_ids;
  return Array.isArray(ids) ? ids : [];
}

function definedFields<T extends object>(object: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [key, value] of Object.entries(object) as Array<[keyof T, T[keyof T]]>) {
    if (value !== undefined && value !== null && value !== '') out[key] = value;
  }
  return out;
}
