import type { ChatMessage, ChatRole, ContentPart, ToolCall } from '../log/log-request.js';

/**
 * Conversions into the API's ChatMessage, shared by every convention. Inputs are `unknown`
 * because they come from parsed attribute JSON: anything malformed is skipped, never thrown on.
 */

const ROLES: Record<string, ChatRole> = {
  user: 'user',
  human: 'user',
  assistant: 'assistant',
  ai: 'assistant',
  model: 'assistant',
  system: 'system',
  developer: 'system',
  tool: 'tool',
  function: 'tool',
  ipython: 'tool',
};

export function toRole(value: unknown): ChatRole {
  return (typeof value === 'string' && ROLES[value.toLowerCase()]) || 'user';
}

export function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return undefined;
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** Tool-call arguments as the JSON string the API expects. */
export function toArguments(value: unknown): string | undefined {
  return asText(value);
}

export function toToolCall(id: unknown, name: unknown, args: unknown, index: number): ToolCall | undefined {
  if (typeof name !== 'string' || name === '') return undefined;
  const call: ToolCall = {
    id: typeof id === 'string' && id !== '' ? id : `call_${index}`,
    type: 'function',
    function: { name: name },
  };
  const argumentsText = toArguments(args);
  if (argumentsText !== undefined) call.function.arguments = argumentsText;
  return call;
}

/** One string when the message is text only, else text and image parts. */
export function toContent(parts: ContentPart[]): string | ContentPart[] | undefined {
  if (parts.length === 0) return undefined;
  if (parts.length === 1 && parts[0].type === 'text') return parts[0].text;
  if (parts.every((part) => part.type === 'text')) return parts.map((part) => part.text).join('');
  return parts;
}

export function imagePart(url: string): ContentPart {
  return { type: 'image_url', image_url: { url: url } };
}

export function textPart(text: string): ContentPart {
  return { type: 'text', text: text };
}

/**
 * Message attributes that did not parse as JSON are kept as what they are: the text of one
 * message (from the user, for input messages).
 */
export function textAsMessages(value: unknown, role: ChatRole = 'user'): ChatMessage[] {
  return typeof value === 'string' && value.trim() !== '' ? [{ role, content: value }] : [];
}

/** Concatenated text of a message's content, for `output`. */
export function textOf(message: ChatMessage | undefined): string | undefined {
  const content = message?.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const text = content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('');
  return text === '' ? undefined : text;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
