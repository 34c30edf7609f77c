import type { Attributes } from '@opentelemetry/api';
import type { ChatMessage, ContentPart, ToolCall } from '../../log/log-request.js';
import { parseJsonText, readInteger, readJson, readString } from '../attributes.js';
import { groupString, indexedGroups, subGroups, type Group } from '../flattened.js';
import { asText, imagePart, isRecord, textOf, textPart, toContent, toRole, toToolCall } from '../messages.js';
import { emptyNormalized, type KindReader, type LogKind, type ModelParams, type NormalizedSpan } from '../normalized.js';
import { toModelConfigTools } from '../tools.js';
import { asEmbedding, asRetrieval, type RetrievedDocument } from '../retrieval.js';
import { fromOpenAiMessages } from './openai-messages.js';
import { assignOwn, ownValue, setOwn } from '../../common/own-keys.js';

export function openInferenceKind(kind: string): LogKind {
  switch (kind.toUpperCase()) {
    case 'LLM':
      return 'model';
    case 'TOOL':
    case 'RETRIEVER':
      return 'tool';
    case 'AGENT':
      return 'agent';
    default:
      return 'generic';
  }
}

/** Request parameters that have a field of their own in a model config. */
const PARAMS: Record<string, keyof ModelParams> = {
  temperature: 'temperature',
  max_tokens: 'max_tokens',
  max_completion_tokens: 'max_tokens',
  max_output_tokens: 'max_tokens',
  top_p: 'top_p',
  stop: 'stop',
  presence_penalty: 'presence_penalty',
  frequency_penalty: 'frequency_penalty',
  seed: 'seed',
};
/** Parameters that are not model settings (or are recorded elsewhere). */
const NOT_PARAMS = new Set(['model', 'messages', 'tools', 'stream', 'stream_options', 'input', 'prompt']);

/** An OpenInference span (Arize): `openinference.span.kind` plus flattened `llm.*`, `tool.*`, `input/output.*`. */
export function normalizeOpenInference(attributes: Attributes): NormalizedSpan {
  const spanKind = (readString(attributes, 'openinference.span.kind') ?? '').toUpperCase();
  const out = emptyNormalized(openInferenceKind(spanKind));
  readCommon(attributes, out);
  (ownValue(READERS, spanKind) ?? readChain)(attributes, out);
  return out;
}

/** What each span kind reads; CHAIN, AGENT, RERANKER and the rest read their input and output. */
const READERS: Record<string, KindReader> = { LLM: readLlm, TOOL: readTool, RETRIEVER: readRetriever, EMBEDDING: readEmbedding };

function readCommon(attributes: Attributes, out: NormalizedSpan): void {
  out.conversationId = readString(attributes, 'session.id');
  out.userId = readString(attributes, 'user.id');
  const metadata = readJson(attributes, 'metadata');
  if (isRecord(metadata)) assignOwn(out.metadata, metadata);
  const tags = attributes['tag.tags'];
  if (Array.isArray(tags)) out.metadata.tags = tags;
  out.name = readString(attributes, 'agent.name');
  const kind = readString(attributes, 'openinference.span.kind');
  if (kind && out.kind === 'generic') out.metadata.span_kind = kind;
}

function readLlm(attributes: Attributes, out: NormalizedSpan): void {
  const invocation = readJson(attributes, 'llm.invocation_parameters');
  const parameters = isRecord(invocation) ? invocation : {};
  out.model =
    (typeof parameters.model === 'string' ? parameters.model : undefined) ??
    readString(attributes, 'llm.request.model_name') ??
    readString(attributes, 'llm.model_name');
  out.responseModel = readString(attributes, 'llm.response.model_name') ?? readString(attributes, 'llm.model_name');
  out.provider = readString(attributes, 'llm.provider') ?? readString(attributes, 'llm.system') ?? langChainParam(out, 'ls_provider');
  out.model ??= langChainParam(out, 'ls_model_name');
  out.endpoint = 'chat';
  readParameters(parameters, out);
  const messages = readMessages(attributes, 'llm.input_messages');
  out.messages = messages.length > 0 ? messages : requestMessages(attributes);
  const [output] = readMessages(attributes, 'llm.output_messages');
  if (output) {
    out.outputMessage = output;
    out.output = textOf(output);
  }
  out.tools = toModelConfigTools(
    indexedGroups(attributes, 'llm.tools').map((tool) => parseJsonText(groupString(tool, 'tool.json_schema') ?? '')),
  );
  out.finishReason = readString(attributes, 'llm.finish_reason');
  readTemplate(attributes, out);
  out.usage = {
    input: readInteger(attributes, 'llm.token_count.prompt'),
    output: readInteger(attributes, 'llm.token_count.completion'),
    reasoning: readInteger(attributes, 'llm.token_count.completion_details.reasoning'),
    cacheRead: readInteger(attributes, 'llm.token_count.prompt_details.cache_read'),
    cacheWrite: readInteger(attributes, 'llm.token_count.prompt_details.cache_write'),
  };
}

/** LangChain's own description of a model call (`ls_provider`, `ls_model_name`), in the run's metadata. */
function langChainParam(out: NormalizedSpan, key: string): string | undefined {
  const value = ownValue(out.metadata, key);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function readParameters(parameters: Record<string, unknown>, out: NormalizedSpan): void {
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parameters)) {
    const field = ownValue(PARAMS, key);
    if (field && (typeof value === 'number' || typeof value === 'string' || Array.isArray(value))) params[field] = value;
    else if (!NOT_PARAMS.has(key)) setOwn(out.otherParams, key, value);
  }
  out.params = params;
}

function readTemplate(attributes: Attributes, out: NormalizedSpan): void {
  const variables = readJson(attributes, 'llm.prompt_template.variables');
  if (isRecord(variables)) out.inputs = variables;
  const template = readString(attributes, 'llm.prompt_template.template');
  if (template) out.metadata.prompt_template = template;
}

function readTool(attributes: Attributes, out: NormalizedSpan): void {
  out.name = readString(attributes, 'tool.name');
  out.description = readString(attributes, 'tool.description');
  const parameters = readJson(attributes, 'tool.parameters') ?? readJson(attributes, 'tool.json_schema');
  if (isRecord(parameters)) out.toolParameters = parameters;
  readInputOutput(attributes, out);
  const id = readString(attributes, 'tool.id') ?? readString(attributes, 'tool_call.id');
  if (id) out.metadata.tool_call_id = id;
}

/** A retriever: the query in `input.value`, the documents flattened under `retrieval.documents`. */
function readRetriever(attributes: Attributes, out: NormalizedSpan): void {
  const documents = indexedGroups(attributes, 'retrieval.documents').map(toDocument);
  asRetrieval(out, readString(attributes, 'input.value'), documents.length > 0 ? documents : undefined);
}

function toDocument(group: Group): RetrievedDocument {
  const document: RetrievedDocument = {};
  const id = group.get('document.id');
  if (typeof id === 'string' || typeof id === 'number') document.id = String(id);
  const score = group.get('document.score');
  if (typeof score === 'number') document.score = score;
  const content = groupString(group, 'document.content');
  if (content !== undefined) document.content = content;
  const metadata = parseJsonText(groupString(group, 'document.metadata') ?? '');
  if (isRecord(metadata)) document.metadata = metadata;
  return document;
}

/** An embedding: the model and the texts flattened under `embedding.embeddings` (never the vectors). */
function readEmbedding(attributes: Attributes, out: NormalizedSpan): void {
  out.model = readString(attributes, 'embedding.model_name');
  out.provider = readString(attributes, 'llm.provider') ?? readString(attributes, 'llm.system');
  const texts = indexedGroups(attributes, 'embedding.embeddings').flatMap((group) => {
    const text = groupString(group, 'embedding.text');
    return text === undefined ? [] : [text];
  });
  asEmbedding(out, texts.length > 0 ? texts : readValue(attributes, 'input'));
  out.usage = { input: readInteger(attributes, 'llm.token_count.prompt') };
}

function readChain(attributes: Attributes, out: NormalizedSpan): void {
  readInputOutput(attributes, out);
  readTemplate(attributes, out);
}

/** `input.value` / `output.value`: JSON when the mime type says so, else text. */
function readInputOutput(attributes: Attributes, out: NormalizedSpan): void {
  const input = readValue(attributes, 'input');
  if (input !== undefined) out.inputs = isRecord(input) ? input : { input };
  const output = readValue(attributes, 'output');
  if (output !== undefined) out.output = asText(output);
}

function readValue(attributes: Attributes, prefix: 'input' | 'output'): unknown {
  const text = readString(attributes, `${prefix}.value`);
  if (text === undefined) return undefined;
  return readString(attributes, `${prefix}.mime_type`) === 'application/json' ? parseJsonText(text) ?? text : text;
}

/** When no messages are flattened, the OpenAI-style request body in `input.value` may hold them. */
function requestMessages(attributes: Attributes): ChatMessage[] | undefined {
  const body = readValue(attributes, 'input');
  const messages = isRecord(body) ? fromOpenAiMessages(body.messages) : [];
  return messages.length > 0 ? messages : undefined;
}

function readMessages(attributes: Attributes, prefix: string): ChatMessage[] {
  return indexedGroups(attributes, prefix).map(toMessage);
}

function toMessage(group: Group): ChatMessage {
  const message: ChatMessage = { role: toRole(group.get('message.role')) };
  const parts = subGroups(group, 'message.contents').flatMap(toContentPart);
  const text = groupString(group, 'message.content');
  const toolCalls = subGroups(group, 'message.tool_calls').flatMap(toToolCallOf);
  message.content = text ?? toContent(parts) ?? (toolCalls.length > 0 ? null : '');
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const toolCallId = groupString(group, 'message.tool_call_id');
  if (toolCallId) message.tool_call_id = toolCallId;
  else if (message.role === 'tool') message.tool_call_id = 'unknown';
  const name = groupString(group, 'message.name');
  if (name) message.name = name;
  return message;
}

function toContentPart(part: Group): ContentPart[] {
  const type = groupString(part, 'message_content.type');
  const text = groupString(part, 'message_content.text');
  if (type === 'text' && text !== undefined) return [textPart(text)];
  const url = groupString(part, 'message_content.image.image.url');
  return type === 'image' && url ? [imagePart(url)] : [];
}

function toToolCallOf(call: Group, index: number): ToolCall[] {
  const parsed = toToolCall(
    call.get('tool_call.id'),
    call.get('tool_call.function.name'),
    call.get('tool_call.function.arguments'),
    index,
  );
  return parsed ? [parsed] : [];
}
