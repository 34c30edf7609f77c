import type { ChatMessage, ChatRole, ContentPart, ToolCall } from '../../log/log-request.js';
import { asText, imagePart, isRecord, textAsMessages, textPart, toContent, toRole, toToolCall } from '../messages.js';

/**
 * OTel GenAI message JSON (`gen_ai.input.messages`, `gen_ai.output.messages`,
 * `gen_ai.system_instructions`): messages of `{role, parts: [...]}` where a part is text,
 * tool_call, tool_call_response, blob, uri, file or reasoning. One GenAI message can become
 * several ChatMessages: each tool_call_response is a `tool` message of its own. Text that is not
 * JSON is one message of `role`.
 */
export function fromGenAiMessages(value: unknown, role: ChatRole = 'user'): ChatMessage[] {
  if (!Array.isArray(value)) return textAsMessages(value, role);
  const messages: ChatMessage[] = [];
  for (const message of value) if (isRecord(message)) addGenAiMessage(messages, message);
  return messages;
}

/** System instructions (an array of parts) as one system message. */
export function fromSystemInstructions(value: unknown): ChatMessage | undefined {
  const parts = Array.isArray(value) ? value : typeof value === 'string' ? [{ type: 'text', content: value }] : [];
  const contentParts: ContentPart[] = [];
  for (const part of parts) addContentPart(contentParts, part);
  const content = toContent(contentParts);
  return content === undefined ? undefined : { role: 'system', content };
}

/** A message's parts; older emitters put plain `content` on the message instead. */
function partsOf(message: Record<string, unknown>): unknown[] {
  if (Array.isArray(message.parts) && message.parts.length > 0) return message.parts;
  return message.content === undefined ? [] : [{ type: 'text', content: message.content }];
}

function addGenAiMessage(messages: ChatMessage[], message: Record<string, unknown>): void {
  const parts = partsOf(message);
  const contentParts: ContentPart[] = [];
  const toolCalls: ToolCall[] = [];
  const toolResults: ChatMessage[] = [];
  for (let index = 0; index < parts.length; index++) {
    const part = parts[index];
    if (!isRecord(part)) continue;
    if (part.type === 'tool_call') {
      const call = toToolCall(part.id, part.name, part.arguments, index);
      if (call) toolCalls.push(call);
    } else if (part.type === 'tool_call_response') {
      toolResults.push(toolResult(part));
    } else {
      addContentPart(contentParts, part);
    }
  }
  if (contentParts.length > 0 || toolCalls.length > 0 || toolResults.length === 0) {
    messages.push(chatMessage(toRole(message.role), contentParts, toolCalls, message.name));
  }
  for (const result of toolResults) messages.push(result);
}

function chatMessage(
  role: ChatMessage['role'],
  parts: ContentPart[],
  toolCalls: ToolCall[],
  name: unknown,
): ChatMessage {
  const message: ChatMessage = { role: toolCalls.length > 0 ? 'assistant' : role };
  const content = toContent(parts);
  message.content = content ?? (toolCalls.length > 0 ? null : '');
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (typeof name === 'string' && name !== '') message.name = name;
  return message;
}

function toolResult(part: Record<string, unknown>): ChatMessage {
  return {
    role: 'tool',
    tool_call_id: typeof part.id === 'string' && part.id !== '' ? part.id : 'unknown',
    content: asText(part.response ?? part.result) ?? '',
  };
}

function addContentPart(parts: ContentPart[], part: unknown): void {
  const converted = contentPart(part);
  if (converted) parts.push(converted);
}

function contentPart(part: unknown): ContentPart | undefined {
  if (typeof part === 'string') return textPart(part);
  if (!isRecord(part)) return undefined;
  switch (part.type) {
    case 'text': {
      const text = asText(part.content ?? part.text);
      return text === undefined ? undefined : textPart(text);
    }
    case 'blob':
      return part.modality === 'image' && typeof part.content === 'string'
        ? imagePart(`data:${typeof part.mime_type === 'string' ? part.mime_type : 'image/*'};base64,${part.content}`)
        : undefined;
    case 'uri':
      return part.modality === 'image' && typeof part.uri === 'string' ? imagePart(part.uri) : undefined;
    default:
      // reasoning, file, server tool parts and unknown kinds have no ChatMessage form.
      return undefined;
  }
}
