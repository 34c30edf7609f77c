import type { Attributes } from '@opentelemetry/api';
import { readString } from './attributes.js';

/**
 * Who a span is for and which conversation it is part of, whatever the convention that wrote it:
 * each list is in the order it is trusted.
 */

const CONVERSATION_KEYS = [
  'gen_ai.conversation.id',
  'session.id',
  'traceloop.association.properties.session_id',
  'ai.telemetry.metadata.sessionId',
  'ai.settings.context.sessionId',
];

const USER_KEYS = [
  'user.id',
  'enduser.id',
  'traceloop.association.properties.user_id',
  'ai.telemetry.metadata.userId',
  'ai.settings.context.userId',
];

export function conversationIdOf(attributes: Attributes): string | undefined {
  return firstString(attributes, CONVERSATION_KEYS);
}

export function userIdOf(attributes: Attributes): string | undefined {
  return firstString(attributes, USER_KEYS);
}

function firstString(attributes: Attributes, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = readString(attributes, key);
    if (value) return value;
  }
  return undefined;
}
