import type { ChatMessage, ContentPart, ToolCall } from '../../log/log-request.js';
import { asText, imagePart, isRecord, textPart, toContent, toRole, toToolCall } from '../messages.js';

/**
 * Messages in OpenAI's chat format (`{role, content, tool_calls, tool_call_id, name}`), as
 * request bodies and several instrumentations carry them.
 */
export function fromOpenAiMessages(value: unknown): ChatMessage[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((message) => (isRecord(message) ? [fromOpenAiMessage(message)] : []));
}

export function fromOpenAiMessage(message: Record<string, unknown>): ChatMessage {
  const out: ChatMessage = { role: toRole(message.role) };
  out.content = openAiContent(message.content);
  const calls = toolCalls(message.tool_calls);
  if (calls.length > 0) {
    out.tool_calls = calls;
    out.role = 'assistant';
  }
  if (typeof message.tool_call_id === 'string') out.tool_call_id = message.tool_call_id;
  if (typeof message.name === 'string' && message.name !== '') out.name = message.name;
  if (out.role === 'tool' && out.tool_call_id === undefined) out.tool_call_id = 'unknown';
  return out;
}

/** String content, or OpenAI's parts (`text`, `image_url`); anything else as its JSON text. */
export function openAiContent(content: unknown): string | ContentPart[] | null {
  if (content === null || content === undefined) return null;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return asText(content) ?? null;
  const parts = content.flatMap((part): ContentPart[] => {
    if (typeof part === 'string') return [textPart(part)];
    if (!isRecord(part)) return [];
    if (part.type === 'text' && typeof part.text === 'string') return [textPart(part.text)];
    const url = isRecord(part.image_url) ? part.image_url.url : part.image_url;
    if (part.type === 'image_url' && typeof url === 'string') return [imagePart(url)];
    return [];
  });
  return toContent(parts) ?? null;
}

function toolCalls(value: unknown): ToolCall[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((call, index) => {
    if (!isRecord(call)) return [];
    const fn = isRecord(call.function) ? call.function : call;
    const parsed = toToolCall(call.id, fn.name, fn.arguments, index);
    return parsed ? [parsed] : [];
  });
}
