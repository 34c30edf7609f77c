import type { LogRequest } from '../log-request.js';
import type { ReadableSpan } from '../otel.js';

/** Most characters of one path segment. */
const MAX_SEGMENT_CHARS = 100;
/** What a segment keeps; anything else (a slash, a control character, punctuation) becomes a dash. */
const UNSAFE = /[^\p{L}\p{N} ._()-]+/gu;

/**
 * The Humanloop file a log goes to (v5): the project as the folder, then the name of the prompt,
 * tool, agent or workflow. An LLM call is named for the function it serves when the
 * instrumentation says (the AI SDK's `functionId`), else for its model.
 */
export function defaultPath(log: LogRequest): string {
  return `${segment(log.project ?? 'default')}/${segment(fileName(log))}`;
}

/** The user's path function, falling back to the default for a log it gives no usable path. */
export function pathResolver(custom: ((log: LogRequest, span: ReadableSpan) => string) | undefined) {
  return (log: LogRequest, span: ReadableSpan): string => {
    const path = custom?.(log, span);
    return typeof path === 'string' && path.trim() !== '' ? path : defaultPath(log);
  };
}

function fileName(log: LogRequest): string {
  const { config } = log;
  switch (config.type) {
    case 'model': {
      const functionId = log.metadata?.function_id;
      return typeof functionId === 'string' && functionId !== '' ? functionId : config.model;
    }
    case 'tool':
      return config.name;
    case 'agent':
      return config.agent_class;
    case 'generic':
      return config.name ?? 'workflow';
  }
}

function segment(text: string): string {
  const safe = text.replace(UNSAFE, '-').replace(/-{2,}/g, '-').trim().slice(0, MAX_SEGMENT_CHARS).trim();
  return safe === '' || /^\.+$/.test(safe) ? 'unnamed' : safe;
}
