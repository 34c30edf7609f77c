import type { LogRequest } from '../log/log-request.js';
import { describeError, logger } from '../common/diag.js';
import type { ReadableSpan } from '../common/otel.js';
import { contextPathOf } from './request-context.js';
import { safeSpanId } from './span-ids.js';

/** Most characters of one path segment. */
const MAX_SEGMENT_CHARS = 100;
/** What a segment keeps; anything else (a slash, a control character, punctuation) becomes a dash. */
const UNSAFE = /[^\p{L}\p{N} ._()-]+/gu;

/**
 * The Humanloop file a log goes to (v5): the project as the folder, then the name of the tool,
 * agent or workflow; an LLM call is named after its model (the function it serves is a flow
 * already, under its own name).
 */
export function defaultPath(log: LogRequest): string {
  return `${segment(log.project ?? 'default')}/${segment(fileName(log))}`;
}

/**
 * The Humanloop evaluator file an evaluation goes to (v5): `evaluators/<name>` under the project's
 * folder, beside the files of the logs it judges.
 */
export function evaluatorPath(project: string | undefined, name: string): string {
  return `${segment(project ?? 'default')}/evaluators/${segment(name)}`;
}

/** Most segments of a request context's folder. */
const MAX_FOLDER_SEGMENTS = 10;

/** The log's file in the folder the request context names (`withHumanloop`'s `path`), in place of the project. */
function contextFolderPath(folder: string, log: LogRequest): string | undefined {
  const segments = folder.split('/').filter((part) => part.trim() !== '').slice(0, MAX_FOLDER_SEGMENTS).map(segment);
  return segments.length === 0 ? undefined : `${segments.join('/')}/${segment(fileName(log))}`;
}

/** Paths remembered, to keep each to one kind of file. */
const MAX_REMEMBERED_PATHS = 10_000;

/**
 * The request context's folder (`humanloop.path`) when the span has one; else the user's path
 * function, falling back to the default for a log it gives no usable path. A path holds one kind of file: one already used for another kind (a tool and a workflow of the
 * same name) gets the kind appended.
 */
export function pathResolver(custom: ((log: LogRequest, span: ReadableSpan) => string) | undefined) {
  const kinds = new Map<string, string>();
  return (log: LogRequest, span: ReadableSpan): string => {
    const folder = contextPathOf(span.attributes);
    const inFolder = folder === undefined ? undefined : contextFolderPath(folder, log);
    const given = inFolder ?? userPath(custom, log, span);
    const path = typeof given === 'string' && given.trim() !== '' ? given : defaultPath(log);
    const kind = fileKind(log);
    const known = kinds.get(path);
    if (known !== undefined && known !== kind) return `${path} (${kind})`;
    if (known === undefined && kinds.size < MAX_REMEMBERED_PATHS) kinds.set(path, kind);
    return path;
  };
}

/** The user's path for the log; one that throws counts as none given. */
function userPath(custom: ((log: LogRequest, span: ReadableSpan) => string) | undefined, log: LogRequest, span: ReadableSpan): unknown {
  try {
    return custom?.(log, span);
  } catch (error) {
    logger.warn(`path threw for span ${safeSpanId(span) ?? '(unknown)'}; the default path is used: ${describeError(error)}`);
    return undefined;
  }
}

function fileKind(log: LogRequest): string {
  if (log.config.type === 'model') return 'prompt';
  return log.config.type === 'tool' ? 'tool' : 'flow';
}

function fileName(log: LogRequest): string {
  const { config } = log;
  switch (config.type) {
    case 'model':
      return config.model;
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
