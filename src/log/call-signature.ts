import type { LogRequest } from './log-request.js';

/**
 * One LLM call, one log: when two instrumentations record the same call as nested LLM spans (a
 * framework's LLM span around a client library's), the inner one is folded into the outer. What
 * folding needs to know of a call is kept beside its encoded log, so that the log is decoded only
 * when it merges.
 */
export interface CallSignature {
  model: string | undefined;
}

/** Whether a log is an LLM call (a model config, or a generic one standing in for a model it could not name). */
export function isCallLog(log: LogRequest): boolean {
  const { config } = log;
  return config.type === 'model' || (config.type === 'generic' && config.other?.kind === 'model');
}

export function callSignature(log: LogRequest): CallSignature | undefined {
  return isCallLog(log) ? { model: log.config.type === 'model' ? log.config.model : undefined } : undefined;
}

/** A direct child that is also an LLM call, of the same model when both name one, is the same call. */
export function isSameCall(outer: CallSignature | undefined, inner: CallSignature | undefined): boolean {
  if (!outer || !inner) return false;
  const a = outer.model;
  const b = inner.model;
  return a === undefined || b === undefined || a.startsWith(b) || b.startsWith(a);
}
