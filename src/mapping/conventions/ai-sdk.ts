import type { Attributes } from '@opentelemetry/api';
import type { ChatMessage, ContentPart, ToolCall } from '../../log/log-request.js';
import { parseJsonText, readInteger, readJson, readNumber, readString, readStringArray } from '../attributes.js';
import { asText, imagePart, isRecord, textAsMessages, textOf, textPart, toContent, toRole, toToolCall } from '../messages.js';
import type { KindReader, LogKind, NormalizedSpan } from '../normalized.js';
import { toModelConfigTools } from '../tools.js';
import { asEmbedding } from '../retrieval.js';
import { embeddedValues } from './ai-sdk-extras.js';
import { normalizeGenAi } from './genai.js';
import { setOwn } from '../../common/own-keys.js';

/** `ai.operationId` → what the span is. Tokens are only read from the per-call `do*` spans. */
export function aiSdkKind(operationId: string): LogKind {
  if (operationId === 'ai.toolCall') return 'tool';
  if (/\.do(Generate|Stream)$/.test(operationId)) return 'model';
  if (/^ai\.(generate|stream)(Text|Object)$/.test(operationId)) return 'agent';
  return 'generic';
}

/**
 * A Vercel AI SDK v4, v5 or v6 span (`ai.*` attributes). The `do*` spans are the LLM calls; the
 * `ai.generateText`-style roots are agent runs; `ai.toolCall` spans are tool runs.
 */
export function normalizeAiSdk(attributes: Attributes): NormalizedSpan {
  const operationId = readString(attributes, 'ai.operationId') ?? '';
  const kind = aiSdkKind(operationId);
  const out: NormalizedSpan = { ...normalizeGenAi(attributes), kind };
  out.model = readString(attributes, 'ai.model.id') ?? out.model;
  out.responseModel = readString(attributes, 'ai.response.model') ?? out.responseModel;
  out.provider = readString(attributes, 'ai.model.provider') ?? out.provider;
  out.name = readString(attributes, 'ai.telemetry.functionId') ?? operationId;
  readSettings(attributes, out);
  readTelemetryMetadata(attributes, out);
  if (EMBED.test(operationId)) readEmbed(attributes, out, operationId);
  else BY_KIND[kind](attributes, out);
  return out;
}

/** `embed`, `embedMany` and their model calls (`doEmbed`). */
const EMBED = /^ai\.embed(Many)?(\.doEmbed)?$/;

/** An embedding: the model calls carry the tokens, as `do*` spans do. */
function readEmbed(attributes: Attributes, out: NormalizedSpan, operationId: string): void {
  asEmbedding(out, embeddedValues(attributes));
  out.usage = operationId.endsWith('.doEmbed') ? { input: readInteger(attributes, 'ai.usage.tokens') } : {};
}

const BY_KIND: Record<LogKind, KindReader> = { model: readModelCall, tool: readToolCall, agent: readRun, generic: readRun };

function readSettings(attributes: Attributes, out: NormalizedSpan): void {
  const setting = (name: string) => readNumber(attributes, `ai.settings.${name}`);
  out.params = {
    ...out.params,
    temperature: out.params.temperature ?? setting('temperature'),
    max_tokens: out.params.max_tokens ?? setting('maxOutputTokens') ?? setting('maxTokens'),
    top_p: out.params.top_p ?? setting('topP'),
    presence_penalty: out.params.presence_penalty ?? setting('presencePenalty'),
    frequency_penalty: out.params.frequency_penalty ?? setting('frequencyPenalty'),
    seed: out.params.seed ?? setting('seed'),
    stop: out.params.stop ?? readStringArray(attributes, 'ai.settings.stopSequences'),
  };
  const topK = setting('topK');
  if (topK !== undefined) out.otherParams.top_k = topK;
}

/** `ai.telemetry.metadata.*` is the user's own metadata: kept as given. */
function readTelemetryMetadata(attributes: Attributes, out: NormalizedSpan): void {
  const prefix = 'ai.telemetry.metadata.';
  for (const key in attributes) {
    if (!key.startsWith(prefix)) continue;
    const name = key.slice(prefix.length);
    setOwn(out.metadata, name, attributes[key]);
  }
  out.userId = readString(attributes, `${prefix}userId`);
  const functionId = readString(attributes, 'ai.telemetry.functionId');
  if (functionId) out.metadata.function_id = functionId;
}

function readModelCall(attributes: Attributes, out: NormalizedSpan): void {
  out.endpoint = 'chat';
  const messages = fromAiSdkMessages(readJson(attributes, 'ai.prompt.messages'));
  if (messages.length > 0) out.messages = messages;
  out.tools = toModelConfigTools(toolDefinitions(attributes)) ?? out.tools;
  readResponse(attributes, out);
  out.usage = {
    input: out.usage.input ?? usage(attributes, 'inputTokens', 'promptTokens'),
    output: out.usage.output ?? usage(attributes, 'outputTokens', 'completionTokens'),
    reasoning: usage(attributes, 'reasoningTokens', 'outputTokenDetails.reasoningTokens'),
    cacheRead: usage(attributes, 'cachedInputTokens', 'inputTokenDetails.cacheReadTokens'),
    cacheWrite: usage(attributes, 'inputTokenDetails.cacheWriteTokens'),
  };
  for (const timing of ['msToFirstChunk', 'msToFinish']) {
    const value = readNumber(attributes, `ai.response.${timing}`);
    if (value !== undefined) out.metadata[timing === 'msToFirstChunk' ? 'ms_to_first_chunk' : 'ms_to_finish'] = value;
  }
  // In seconds, as every convention's call gives it.
  if (typeof out.metadata.ms_to_first_chunk === 'number') out.metadata.time_to_first_chunk = out.metadata.ms_to_first_chunk / 1000;
}

/** The root of a call: its input is the prompt it was given; its tokens are left to its `do*` spans. */
function readRun(attributes: Attributes, out: NormalizedSpan): void {
  const prompt = readJson(attributes, 'ai.prompt');
  if (prompt !== undefined) out.inputs = isRecord(prompt) ? prompt : { input: prompt };
  readResponse(attributes, out);
  out.usage = {};
}

function readResponse(attributes: Attributes, out: NormalizedSpan): void {
  const text = readString(attributes, 'ai.response.text') ?? readString(attributes, 'ai.response.object');
  const toolCalls = fromAiSdkToolCalls(readJson(attributes, 'ai.response.toolCalls'));
  if (text !== undefined || toolCalls.length > 0) {
    const message: ChatMessage = { role: 'assistant', content: text ?? null };
    if (toolCalls.length > 0) message.tool_calls = toolCalls;
    out.outputMessage = message;
    out.output = textOf(message);
  }
  out.finishReason = readString(attributes, 'ai.response.finishReason') ?? out.finishReason;
  out.responseId = readString(attributes, 'ai.response.id') ?? out.responseId;
}

function readToolCall(attributes: Attributes, out: NormalizedSpan): void {
  out.name = readString(attributes, 'ai.toolCall.name') ?? out.name;
  const args = readJson(attributes, 'ai.toolCall.args') ?? readJson(attributes, 'ai.toolCall.input');
  if (args !== undefined) out.inputs = isRecord(args) ? args : { input: args };
  const result = attributes['ai.toolCall.result'] ?? attributes['ai.toolCall.output'];
  if (result !== undefined) out.output = asText(result);
  const id = readString(attributes, 'ai.toolCall.id');
  if (id) out.metadata.tool_call_id = id;
  out.usage = {};
}

function usage(attributes: Attributes, ...names: string[]): number | undefined {
  for (const name of names) {
    const value = readInteger(attributes, `ai.usage.${name}`);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** `ai.prompt.tools` is a string array, one JSON definition per tool. */
function toolDefinitions(attributes: Attributes): unknown[] | undefined {
  const value = attributes['ai.prompt.tools'];
  if (!Array.isArray(value)) return undefined;
  return value.map((item) => (typeof item === 'string' ? parseJsonText(item) : item));
}

function fromAiSdkToolCalls(value: unknown): ToolCall[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((call, index) => {
    if (!isRecord(call)) return [];
    const parsed = toToolCall(call.toolCallId, call.toolName, call.args ?? call.input, index);
    return parsed ? [parsed] : [];
  });
}

/** `ai.prompt.messages`: LanguageModelV1 (ai 4), V2 (ai 5) and V3 (ai 6) prompts; text that is not JSON as a user message. */
export function fromAiSdkMessages(value: unknown): ChatMessage[] {
  if (!Array.isArray(value)) return textAsMessages(value);
  return value.flatMap((message) => (isRecord(message) ? fromAiSdkMessage(message) : []));
}

function fromAiSdkMessage(message: Record<string, unknown>): ChatMessage[] {
  const role = toRole(message.role);
  const parts: unknown[] = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : [];
  if (Array.isArray(message.content)) parts.push(...(message.content as unknown[]));
  if (role === 'tool') return parts.flatMap((part) => (isRecord(part) ? [toolResult(part)] : []));
  const content: ContentPart[] = [];
  const toolCalls: ToolCall[] = [];
  parts.forEach((part, index) => {
    if (!isRecord(part)) return;
    if (part.type === 'tool-call') {
      const call = toToolCall(part.toolCallId, part.toolName, part.args ?? part.input, index);
      if (call) toolCalls.push(call);
    } else {
      content.push(...contentPart(part));
    }
  });
  const out: ChatMessage = { role, content: toContent(content) ?? (toolCalls.length > 0 ? null : '') };
  if (toolCalls.length > 0) out.tool_calls = toolCalls;
  return [out];
}

function toolResult(part: Record<string, unknown>): ChatMessage {
  const output = isRecord(part.output) && 'value' in part.output ? part.output.value : part.output;
  const message: ChatMessage = {
    role: 'tool',
    tool_call_id: typeof part.toolCallId === 'string' ? part.toolCallId : 'unknown',
    content: asText(part.result ?? output) ?? '',
  };
  if (typeof part.toolName === 'string') message.name = part.toolName;
  return message;
}

function contentPart(part: Record<string, unknown>): ContentPart[] {
  switch (part.type) {
    case 'text':
      return typeof part.text === 'string' ? [textPart(part.text)] : [];
    case 'image':
      return imageOf(part.image, part.mimeType ?? part.mediaType);
    case 'file': {
      const mediaType = part.mediaType ?? part.mimeType;
      return typeof mediaType === 'string' && mediaType.startsWith('image/') ? imageOf(part.data, mediaType) : [];
    }
    default:
      // reasoning, redacted reasoning and other parts have no ChatMessage form.
      return [];
  }
}

function imageOf(data: unknown, mediaType: unknown): ContentPart[] {
  if (typeof data !== 'string') return [];
  if (/^(https?:|data:)/.test(data)) return [imagePart(data)];
  return [imagePart(`data:${typeof mediaType === 'string' ? mediaType : 'image/*'};base64,${data}`)];
}
