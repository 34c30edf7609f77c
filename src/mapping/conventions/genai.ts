import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_AGENT_DESCRIPTION,
  ATTR_GEN_AI_AGENT_ID,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_AGENT_VERSION,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_DATA_SOURCE_ID,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_CHOICE_COUNT,
  ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY,
  ATTR_GEN_AI_REQUEST_SEED,
  ATTR_GEN_AI_REQUEST_STOP_SEQUENCES,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_REQUEST_TOP_K,
  ATTR_GEN_AI_REQUEST_TOP_P,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_RETRIEVAL_DOCUMENTS,
  ATTR_GEN_AI_RETRIEVAL_QUERY_TEXT,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_DEFINITIONS,
  ATTR_GEN_AI_TOOL_DESCRIPTION,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_GEN_AI_WORKFLOW_NAME,
} from '../genai-attributes.js';
import type { ChatMessage, ModelEndpoint } from '../../log/log-request.js';
import { parseJsonText, readBoolean, readInteger, readJson, readNumber, readString, readStringArray } from '../attributes.js';
import { asText, isRecord, textOf } from '../messages.js';
import { emptyNormalized, type Attachment, type KindReader, type LogKind, type NormalizedSpan } from '../normalized.js';
import { toModelConfigTools } from '../tools.js';
import { asEmbedding, asRetrieval } from '../retrieval.js';
import { aiSdkReasoningTokens, embeddedValues, readRuntimeContext } from './ai-sdk-extras.js';
import { fromGenAiMessages, fromSystemInstructions, type SetAside } from './genai-messages.js';

/** Not in the npm constants yet (renamed in the GenAI conventions repository). */
const ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS = 'gen_ai.usage.cache_write.input_tokens';
/** The AI SDK 7 writes the time to first chunk under the name of the metric that measures it. */
const ATTR_TIME_TO_FIRST_CHUNK_METRIC = 'gen_ai.client.operation.time_to_first_chunk';

/** `gen_ai.operation.name` → what the span is. Unknown operations are generic steps. */
export function genAiKind(operation: string | undefined): LogKind {
  switch (operation) {
    case 'chat':
    case 'text_completion':
    case 'generate_content':
    case undefined:
      return 'model';
    case 'execute_tool':
    case 'retrieval':
      return 'tool';
    case 'invoke_agent':
    case 'create_agent':
      return 'agent';
    default:
      return 'generic';
  }
}

/** A span in the OpenTelemetry GenAI semantic conventions (1.26 to the GenAI repository's latest). */
export function normalizeGenAi(attributes: Attributes): NormalizedSpan {
  const operation = readString(attributes, ATTR_GEN_AI_OPERATION_NAME);
  const normalized = emptyNormalized(genAiKind(operation));
  readModel(attributes, normalized, operation);
  readContent(attributes, normalized);
  readUsage(attributes, normalized);
  readResponse(attributes, normalized);
  BY_KIND[normalized.kind](attributes, normalized);
  return normalized;
}

const BY_KIND: Record<LogKind, KindReader> = { model: () => undefined, tool: readTool, agent: readAgent, generic: readStep };

/** Any other operation: a workflow, an agent's step, an embedding, or one the conventions add later. */
function readStep(attributes: Attributes, out: NormalizedSpan): void {
  const operation = readString(attributes, ATTR_GEN_AI_OPERATION_NAME);
  if (operation) out.metadata.operation = operation;
  readRuntimeContext(attributes, out.metadata);
  if (operation === 'embeddings') return asEmbedding(out, embeddedValues(attributes));
  out.name = readString(attributes, ATTR_GEN_AI_WORKFLOW_NAME) ?? operation;
  // A workflow is a flow of its own kind (`invoke_workflow`, 1.41); the AI SDK 7 marks its steps.
  if (operation === 'invoke_workflow') out.otherParams.kind = 'workflow';
  else if (operation === 'agent_step') out.otherParams.kind = 'agent_step';
}

function readModel(attributes: Attributes, out: NormalizedSpan, operation: string | undefined): void {
  out.model = readString(attributes, ATTR_GEN_AI_REQUEST_MODEL);
  out.responseModel = readString(attributes, ATTR_GEN_AI_RESPONSE_MODEL);
  out.provider = readString(attributes, ATTR_GEN_AI_PROVIDER_NAME) ?? readString(attributes, ATTR_GEN_AI_SYSTEM);
  out.endpoint = endpointFor(operation);
  out.params = {
    temperature: readNumber(attributes, ATTR_GEN_AI_REQUEST_TEMPERATURE),
    max_tokens: readInteger(attributes, ATTR_GEN_AI_REQUEST_MAX_TOKENS),
    top_p: readNumber(attributes, ATTR_GEN_AI_REQUEST_TOP_P),
    stop: readStringArray(attributes, ATTR_GEN_AI_REQUEST_STOP_SEQUENCES),
    presence_penalty: readNumber(attributes, ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY),
    frequency_penalty: readNumber(attributes, ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY),
    seed: readInteger(attributes, ATTR_GEN_AI_REQUEST_SEED),
  };
  const topK = readNumber(attributes, ATTR_GEN_AI_REQUEST_TOP_K);
  if (topK !== undefined) out.otherParams.top_k = topK;
  const choices = readInteger(attributes, ATTR_GEN_AI_REQUEST_CHOICE_COUNT);
  if (choices !== undefined) out.otherParams.n = choices;
  out.tools = toModelConfigTools(readJson(attributes, ATTR_GEN_AI_TOOL_DEFINITIONS));
  out.conversationId = readString(attributes, ATTR_GEN_AI_CONVERSATION_ID);
}

function endpointFor(operation: string | undefined): ModelEndpoint | undefined {
  if (operation === 'chat' || operation === 'generate_content') return 'chat';
  if (operation === 'text_completion') return 'complete';
  return undefined;
}

function readContent(attributes: Attributes, out: NormalizedSpan): void {
  const system = fromSystemInstructions(readJson(attributes, ATTR_GEN_AI_SYSTEM_INSTRUCTIONS));
  const inputAside: SetAside = {};
  const input = fromGenAiMessages(readJson(attributes, ATTR_GEN_AI_INPUT_MESSAGES), 'user', inputAside);
  const messages: ChatMessage[] = system ? [system, ...input] : input;
  if (messages.length > 0) out.messages = messages;
  const outputs = readJson(attributes, ATTR_GEN_AI_OUTPUT_MESSAGES);
  // One message per choice: the log takes the first.
  const chosen = Array.isArray(outputs) && outputs.length > 1 ? [outputs[0]] : outputs;
  const outputAside: SetAside = {};
  const [first] = fromGenAiMessages(chosen, 'assistant', outputAside);
  if (first) {
    out.outputMessage = first;
    out.output = textOf(first);
  }
  const reason = Array.isArray(outputs) && isRecord(outputs[0]) ? outputs[0].finish_reason : undefined;
  if (typeof reason === 'string') out.finishReason = reason;
  // The reasoning of earlier turns is left out: it was the output of the calls that made it.
  if (outputAside.reasoning) out.reasoning = outputAside.reasoning.join('\n\n');
  if (inputAside.attachments || outputAside.attachments) out.attachments = attachmentsOf(inputAside, outputAside, system ? 1 : 0);
}

/** The attachments set aside, numbered as the log's messages (after the system instructions), or `output`. */
function attachmentsOf(input: SetAside, output: SetAside, shift: number): Attachment[] {
  return [
    ...(input.attachments ?? []).map((attachment) => ({ ...attachment, message: (attachment.message as number) + shift })),
    ...(output.attachments ?? []).map((attachment) => ({ ...attachment, message: 'output' as const })),
  ];
}

function readUsage(attributes: Attributes, out: NormalizedSpan): void {
  out.usage = {
    input:
      readInteger(attributes, ATTR_GEN_AI_USAGE_INPUT_TOKENS) ??
      readInteger(attributes, ATTR_GEN_AI_USAGE_PROMPT_TOKENS),
    output:
      readInteger(attributes, ATTR_GEN_AI_USAGE_OUTPUT_TOKENS) ??
      readInteger(attributes, ATTR_GEN_AI_USAGE_COMPLETION_TOKENS),
    reasoning: readInteger(attributes, ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS) ?? aiSdkReasoningTokens(attributes),
    cacheRead: readInteger(attributes, ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS),
    cacheWrite:
      readInteger(attributes, ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS) ??
      readInteger(attributes, ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS),
  };
}

function readResponse(attributes: Attributes, out: NormalizedSpan): void {
  const reasons = readStringArray(attributes, ATTR_GEN_AI_RESPONSE_FINISH_REASONS);
  // The Anthropic SDK records its stop reason under its own name instead.
  out.finishReason = reasons?.[0] ?? out.finishReason ?? readString(attributes, 'anthropic.message.stop_reason');
  out.responseId = readString(attributes, ATTR_GEN_AI_RESPONSE_ID);
  if (readBoolean(attributes, ATTR_GEN_AI_REQUEST_STREAM)) out.metadata.stream = true;
  const firstChunk =
    readNumber(attributes, ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK) ?? readNumber(attributes, ATTR_TIME_TO_FIRST_CHUNK_METRIC);
  if (firstChunk !== undefined) out.metadata.time_to_first_chunk = firstChunk;
}

function readTool(attributes: Attributes, out: NormalizedSpan): void {
  if (readString(attributes, ATTR_GEN_AI_OPERATION_NAME) === 'retrieval') return readRetrieval(attributes, out);
  out.name = readString(attributes, ATTR_GEN_AI_TOOL_NAME);
  out.description = readString(attributes, ATTR_GEN_AI_TOOL_DESCRIPTION);
  const args = readJson(attributes, ATTR_GEN_AI_TOOL_CALL_ARGUMENTS);
  if (args !== undefined) out.inputs = isRecord(args) ? args : { arguments: args };
  // The result is kept as recorded: JSON text stays text (only a JSON string literal is unquoted).
  const result = attributes[ATTR_GEN_AI_TOOL_CALL_RESULT];
  if (typeof result === 'string') out.output = result.startsWith('"') ? asText(parseJsonText(result) ?? result) : result;
  else if (result !== undefined) out.output = asText(result);
  const callId = readString(attributes, ATTR_GEN_AI_TOOL_CALL_ID);
  if (callId) out.metadata.tool_call_id = callId;
  const type = readString(attributes, ATTR_GEN_AI_TOOL_TYPE);
  if (type) out.metadata.tool_type = type;
}

/** A retrieval (1.40): a tool named by its data source, the query in, the documents out as recorded. */
function readRetrieval(attributes: Attributes, out: NormalizedSpan): void {
  const source = readString(attributes, ATTR_GEN_AI_DATA_SOURCE_ID);
  out.name = source;
  out.metadata.operation = 'retrieval';
  if (source) out.metadata.data_source_id = source;
  const topK = out.otherParams.top_k;
  if (topK !== undefined) out.metadata.top_k = topK;
  const documents = attributes[ATTR_GEN_AI_RETRIEVAL_DOCUMENTS];
  asRetrieval(out, readString(attributes, ATTR_GEN_AI_RETRIEVAL_QUERY_TEXT), typeof documents === 'string' ? documents : asText(documents));
}

function readAgent(attributes: Attributes, out: NormalizedSpan): void {
  out.name = readString(attributes, ATTR_GEN_AI_AGENT_NAME);
  out.description = readString(attributes, ATTR_GEN_AI_AGENT_DESCRIPTION);
  const id = readString(attributes, ATTR_GEN_AI_AGENT_ID);
  if (id) out.metadata.agent_id = id;
  readRuntimeContext(attributes, out.metadata);
  out.version = readString(attributes, ATTR_GEN_AI_AGENT_VERSION);
}
