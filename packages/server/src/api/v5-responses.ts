/**
 * The v5 API's answers, built from what the store holds: the create answers
 * (`CreatePromptLogResponse`...), and the log responses that updates and reads answer
 * (`PromptLogResponse`, `ToolLogResponse`, `FlowLogResponse`, `AgentLogResponse`), each with the
 * version of its file it was logged to. Pure: the store is read, never changed.
 */
import { isRecord } from '../common/json.js';
import { MAX_TRACE_DEPTH, V5_KINDS, type V5FileType } from './v5-kinds.js';
import type { StoredV5Log } from './stored-logs.js';

/** A log's file at its version: what its answer says of them. */
export interface VersionFacts {
  path: string | undefined;
  /** The version's definition, as the version's first log sent it. */
  kernel: unknown;
  createdAt: string | undefined;
  lastUsedAt: string | undefined;
  versionLogs: number;
  fileLogs: number;
}

/** What the answers need of the store, looked up before (v5-reader.ts). */
export interface V5Reader {
  log(id: string): Readonly<StoredV5Log> | undefined;
  version(log: Readonly<StoredV5Log>): VersionFacts | undefined;
  childrenOf(id: string): Array<Readonly<StoredV5Log>>;
}

type Json = Record<string, unknown>;

/** Fields of a stored log that are the server's bookkeeping or the request's, not the log response's. */
const NOT_ANSWERED = new Set(['type', 'file_id', 'version_id', 'request_index', 'path', 'run_id']);
/** Kernel fields whose request form is not the response's (`linked_tools` are ids sent, objects answered). */
const KERNEL_NOT_ANSWERED = new Set(['linked_tools']);
/** A template variable: `{{ name }}`. */
const TEMPLATE_VARIABLE = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;
/** The model line of a raw `.prompt` or `.agent` file's front matter. */
const FRONT_MATTER_MODEL = /^model:\s*["']?([^"'\s]+)/m;

/** What `POST /v5/<type>s/log` answers: the log's id, its file's and its version's, and a status for flows and agents. */
export function createResponse(log: Readonly<StoredV5Log>): Json {
  const kind = V5_KINDS[log.type];
  const answer: Json = { id: log.id, [kind.fileIdField]: log.file_id, version_id: log.version_id };
  if (kind.hasStatus) answer.log_status = log.log_status;
  return answer;
}

/**
 * The log as the API answers it: its fields, its file's version under the kernel's name
 * (`prompt`, `tool`, `flow`, `agent`), the evaluator logs that judge it, its trace (`trace_id` is the id of the
 * log at the top, `trace_flow_id` that log's flow), and with `withChildren` the logs under it,
 * nested (`trace_children`).
 */
export function logResponse(log: Readonly<StoredV5Log>, reader: V5Reader, withChildren: boolean): Json {
  return answerAt(log, reader, withChildren ? MAX_TRACE_DEPTH : 0);
}

function answerAt(log: Readonly<StoredV5Log>, reader: V5Reader, childLevels: number): Json {
  const answer: Json = {};
  for (const [name, value] of Object.entries(log)) if (!NOT_ANSWERED.has(name)) answer[name] = value;
  answer[V5_KINDS[log.type].kernel] = versionResponse(log, reader);
  if (!Array.isArray(answer.evaluator_logs)) answer.evaluator_logs = [];
  Object.assign(answer, traceOf(log, reader));
  if (childLevels > 0) answer.trace_children = reader.childrenOf(log.id).map((child) => answerAt(child, reader, childLevels - 1));
  return answer;
}

/** `trace_id` and `trace_flow_id`, for a log in a trace: under a parent, or able to take children. */
function traceOf(log: Readonly<StoredV5Log>, reader: V5Reader): Json {
  let root = log;
  for (let depth = 0; depth < MAX_TRACE_DEPTH && typeof root.trace_parent_id === 'string'; depth++) {
    const parent = reader.log(root.trace_parent_id);
    if (!parent) break;
    root = parent;
  }
  const inTrace = root !== log || V5_KINDS[log.type].hasStatus || reader.childrenOf(log.id).length > 0;
  if (!inTrace) return {};
  return root.type === 'flow' ? { trace_id: root.id, trace_flow_id: root.file_id } : { trace_id: root.id };
}

/**
 * The file at the version the log went to (`PromptResponse`, `ToolResponse`, `FlowResponse`,
 * `AgentResponse`): the version's kernel, the file's path and name, their ids, when the version
 * was made and last used, and how many stored logs the version and the file have.
 */
function versionResponse(log: Readonly<StoredV5Log>, reader: V5Reader): Json {
  const facts = reader.version(log);
  const kernel = kernelFields(facts?.kernel);
  const path = facts?.path ?? (typeof log.path === 'string' ? log.path : '');
  const createdAt = facts?.createdAt ?? log.created_at ?? new Date().toISOString();
  return {
    ...kernel,
    ...typeFields(log.type, kernel),
    path,
    id: log.file_id,
    name: path.slice(path.lastIndexOf('/') + 1),
    version_id: log.version_id,
    type: log.type,
    created_at: createdAt,
    updated_at: createdAt,
    last_used_at: facts?.lastUsedAt ?? createdAt,
    version_logs_count: facts?.versionLogs ?? 0,
    total_logs_count: facts?.fileLogs ?? 0,
  };
}

/** The version's definition as the response gives it; a raw `.prompt` or `.agent` file gives its model. */
function kernelFields(kernel: unknown): Json {
  if (typeof kernel === 'string') {
    const model = FRONT_MATTER_MODEL.exec(kernel)?.[1];
    return model === undefined ? {} : { model };
  }
  if (!isRecord(kernel)) return {};
  const fields: Json = {};
  for (const [name, value] of Object.entries(kernel)) if (!KERNEL_NOT_ANSWERED.has(name)) fields[name] = value;
  return fields;
}

/** What a file type's response requires beyond the kernel: a model and template inputs, or attributes. */
function typeFields(type: V5FileType, kernel: Json): Json {
  switch (type) {
    case 'prompt':
    case 'agent':
      return { model: typeof kernel.model === 'string' ? kernel.model : '', inputs: templateInputs(kernel.template) };
    case 'tool':
      return { inputs: [] };
    case 'flow':
      return { attributes: isRecord(kernel.attributes) ? kernel.attributes : {} };
  }
}

/** The variables a template uses (`{{ name }}`), in order of first use: a string, or messages of text. */
function templateInputs(template: unknown): Array<{ name: string }> {
  const names = new Set<string>();
  for (const text of templateTexts(template)) for (const match of text.matchAll(TEMPLATE_VARIABLE)) names.add(match[1] ?? '');
  return [...names].map((name) => ({ name }));
}

function templateTexts(template: unknown): string[] {
  if (typeof template === 'string') return [template];
  if (!Array.isArray(template)) return [];
  return template.flatMap((message: unknown) => {
    const content = isRecord(message) ? message.content : undefined;
    if (typeof content === 'string') return [content];
    if (!Array.isArray(content)) return [];
    return content.flatMap((part: unknown) => (isRecord(part) && typeof part.text === 'string' ? [part.text] : []));
  });
}
