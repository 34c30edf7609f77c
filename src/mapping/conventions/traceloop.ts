import type { Attributes } from '@opentelemetry/api';
import type { ChatMessage, ModelConfigTool } from '../../log/log-request.js';
import { parseJsonText, readInteger, readJson, readNumber, readString, readStringArray } from '../attributes.js';
import { groupString, indexedGroups, subGroups, type Group } from '../flattened.js';
import { isRecord, textOf, toRole, toToolCall } from '../messages.js';
import type { LogKind, NormalizedSpan } from '../normalized.js';
import { normalizeGenAi } from './genai.js';
import { openAiContent } from './openai-messages.js';
import { setOwn } from '../../common/own-keys.js';

const ASSOCIATION_PREFIX = 'traceloop.association.properties.';

export function traceloopKind(kind: string | undefined): LogKind {
  if (kind === 'tool') return 'tool';
  if (kind === 'agent') return 'agent';
  return 'generic';
}

/**
 * A Traceloop SDK entity span (`withWorkflow`, `withTask`, `withAgent`, `withTool`):
 * `traceloop.span.kind`, `traceloop.entity.*` and association properties.
 */
export function normalizeTraceloopEntity(attributes: Attributes): NormalizedSpan {
  const entityKind = readString(attributes, 'traceloop.span.kind');
  const out: NormalizedSpan = { ...normalizeGenAi(attributes), kind: traceloopKind(entityKind) };
  // A workflow or a task is a flow of that kind.
  if (out.kind === 'generic' && entityKind) out.otherParams.kind = entityKind;
  if (out.kind === 'agent') out.version = readVersion(attributes) ?? out.version;
  out.name = readString(attributes, 'traceloop.entity.name') ?? out.name;
  const input = readJson(attributes, 'traceloop.entity.input');
  if (input !== undefined) out.inputs = entityInputs(input);
  const output = readJson(attributes, 'traceloop.entity.output');
  if (output !== undefined) out.output = typeof output === 'string' ? output : JSON.stringify(output);
  readAssociation(attributes, out);
  const workflow = readString(attributes, 'traceloop.workflow.name');
  if (workflow) out.metadata.workflow = workflow;
  const path = readString(attributes, 'traceloop.entity.path');
  if (path) out.metadata.entity_path = path;
  return out;
}

/**
 * An LLM span in OpenLLMetry's older indexed form (`gen_ai.prompt.N.*`, `gen_ai.completion.N.*`,
 * `llm.request.functions.N.*`, `llm.request.type`), as 0.22 and `withLLMCall` still write it.
 */
export function normalizeTraceloopLegacy(attributes: Attributes): NormalizedSpan {
  const out: NormalizedSpan = { ...normalizeGenAi(attributes), kind: 'model' };
  const type = readString(attributes, 'llm.request.type');
  out.endpoint = type === 'completion' ? 'complete' : 'chat';
  const messages = indexedGroups(attributes, 'gen_ai.prompt').map(toMessage);
  if (messages.length > 0) out.messages = messages;
  const [completion] = indexedGroups(attributes, 'gen_ai.completion');
  if (completion) {
    out.outputMessage = { ...toMessage(completion), role: 'assistant' };
    out.output = textOf(out.outputMessage);
    out.finishReason = groupString(completion, 'finish_reason') ?? out.finishReason;
  }
  out.tools = legacyTools(attributes) ?? out.tools;
  out.params = {
    ...out.params,
    frequency_penalty: out.params.frequency_penalty ?? readNumber(attributes, 'llm.frequency_penalty'),
    presence_penalty: out.params.presence_penalty ?? readNumber(attributes, 'llm.presence_penalty'),
    stop: out.params.stop ?? readStringArray(attributes, 'llm.chat.stop_sequences'),
  };
  const topK = readNumber(attributes, 'llm.top_k');
  if (topK !== undefined) out.otherParams.top_k = topK;
  out.usage = {
    ...out.usage,
    reasoning: out.usage.reasoning ?? readInteger(attributes, 'gen_ai.usage.reasoning_tokens'),
    cacheRead: out.usage.cacheRead ?? readInteger(attributes, 'gen_ai.usage.cache_read_input_tokens'),
    cacheWrite: out.usage.cacheWrite ?? readInteger(attributes, 'gen_ai.usage.cache_creation_input_tokens'),
  };
  readAssociation(attributes, out);
  return out;
}

/** `withAgent({ version })`: a number, or text. */
function readVersion(attributes: Attributes): string | number | undefined {
  const version = attributes['traceloop.entity.version'];
  return typeof version === 'number' && Number.isFinite(version) ? version : readString(attributes, 'traceloop.entity.version');
}

/** `{"args": [...], "kwargs": {...}}`: the keyword arguments when there are any, else the positional ones. */
function entityInputs(input: unknown): Record<string, unknown> {
  if (!isRecord(input)) return { input };
  const { args, kwargs } = input;
  if (isRecord(kwargs) && Object.keys(kwargs).length > 0) return kwargs;
  if (Array.isArray(args)) return args.length === 1 && isRecord(args[0]) ? args[0] : { args };
  return input;
}

function readAssociation(attributes: Attributes, out: NormalizedSpan): void {
  for (const key in attributes) {
    if (key.startsWith(ASSOCIATION_PREFIX)) setOwn(out.metadata, key.slice(ASSOCIATION_PREFIX.length), attributes[key]);
  }
  out.userId = readString(attributes, `${ASSOCIATION_PREFIX}user_id`) ?? out.userId;
}

function toMessage(group: Group): ChatMessage {
  const message: ChatMessage = { role: toRole(group.get('role')) };
  const content = groupString(group, 'content');
  // Array content (text and image parts) is recorded as its JSON text.
  message.content = content === undefined ? null : openAiContent(parseJsonText(content) ?? content);
  const calls = subGroups(group, 'tool_calls').flatMap((call, index) => {
    const parsed = toToolCall(call.get('id'), call.get('name'), call.get('arguments'), index);
    return parsed ? [parsed] : [];
  });
  const functionCall = toToolCall(undefined, group.get('function_call.name'), group.get('function_call.arguments'), 0);
  if (functionCall) calls.push(functionCall);
  if (calls.length > 0) message.tool_calls = calls;
  const toolCallId = groupString(group, 'tool_call_id');
  if (toolCallId) message.tool_call_id = toolCallId;
  else if (message.role === 'tool') message.tool_call_id = 'unknown';
  return message;
}

/** `llm.request.functions.N.*`; the JS packages put the JSON-schema parameters under `.arguments`. */
function legacyTools(attributes: Attributes): ModelConfigTool[] | undefined {
  const tools = indexedGroups(attributes, 'llm.request.functions').flatMap((group): ModelConfigTool[] => {
    const name = groupString(group, 'name');
    if (!name) return [];
    const tool: ModelConfigTool = { name };
    const description = groupString(group, 'description');
    if (description) tool.description = description;
    const schema = parseJsonText(groupString(group, 'parameters') ?? groupString(group, 'arguments') ?? '');
    if (isRecord(schema)) tool.parameters = schema;
    return [tool];
  });
  return tools.length > 0 ? tools : undefined;
}
