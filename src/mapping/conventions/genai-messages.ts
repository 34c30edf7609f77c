import type { ChatMessage, ChatRole, ContentPart, ToolCall } from '../../log/log-request.js';
import { asText, imagePart, isRecord, textAsMessages, textPart, toContent, toRole, toToolCall } from '../messages.js';
import type { Attachment } from '../normalized.js';

/**
 * The parts a ChatMessage cannot hold, set aside as they are met: reasoning text, and attachments
 * that are not images (a file by id, audio or a document by URI or inline), described without
 * their data. `message` is the index of the ChatMessage they were part of.
 */
export interface SetAside {
  reasoning?: string[];
  attachments?: Attachment[];
}

/**
 * OTel GenAI message JSON (`gen_ai.input.messages`, `gen_ai.output.messages`,
 * `gen_ai.system_instructions`): messages of `{role, parts: [...]}` where a part is text,
 * tool_call, tool_call_response, blob, uri, file or reasoning. One GenAI message can become
 * several ChatMessages: each tool_call_response is a `tool` message of its own. Text that is not
 * JSON is one message of `role`.
 */
export function fromGenAiMessages(value: unknown, role: ChatRole = 'user', aside?: SetAside): ChatMessage[] {
  if (!Array.isArray(value)) return textAsMessages(value, role);
  const messages: ChatMessage[] = [];
  for (const message of value) if (isRecord(message)) addGenAiMessage(messages, message, aside);
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

function addGenAiMessage(messages: ChatMessage[], message: Record<string, unknown>, aside: SetAside | undefined): void {
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
      addContentPart(contentParts, part, aside, messages.length);
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

function addContentPart(parts: ContentPart[], part: unknown, aside?: SetAside, message = 0): void {
  const converted = contentPart(part, aside, message);
  if (converted) parts.push(converted);
}

function contentPart(part: unknown, aside: SetAside | undefined, message: number): ContentPart | undefined {
  if (typeof part === 'string') return textPart(part);
  if (!isRecord(part)) return undefined;
  switch (part.type) {
    case 'text': {
      const text = asText(part.content ?? part.text);
      return text === undefined ? undefined : textPart(text);
    }
    case 'blob':
      if (part.modality === 'image' && typeof part.content === 'string') {
        return imagePart(`data:${typeof part.mime_type === 'string' ? part.mime_type : 'image/*'};base64,${part.content}`);
      }
      break;
    case 'uri':
      if (part.modality === 'image' && typeof part.uri === 'string') return imagePart(part.uri);
      break;
    case 'file':
      break;
    case 'reasoning':
      if (aside && typeof part.content === 'string' && part.content !== '') (aside.reasoning ??= []).push(part.content);
      return undefined;
    default:
      // Server tool parts and unknown kinds have no ChatMessage form.
      return undefined;
  }
  if (aside) (aside.attachments ??= []).push(attachmentOf(part, message));
  return undefined;
}

/** A uri, file or blob part described: what it is and where, never its data (a blob gives its size). */
function attachmentOf(part: Record<string, unknown>, message: number): Attachment {
  const attachment: Attachment = { message, type: String(part.type) };
  if (typeof part.modality === 'string') attachment.modality = part.modality;
  if (typeof part.mime_type === 'string') attachment.mime_type = part.mime_type;
  if (typeof part.uri === 'string') attachment.uri = part.uri;
  if (typeof part.file_id === 'string') attachment.file_id = part.file_id;
  if (typeof part.content === 'string') attachment.bytes = base64Bytes(part.content);
  return attachment;
}

/** The size of the data a base64 text holds. */
function base64Bytes(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((text.length * 3) / 4) - padding);
}
