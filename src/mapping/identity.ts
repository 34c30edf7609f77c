import type { Attributes } from '@opentelemetry/api';
import { CONTEXT_ATTRIBUTES } from '../log/context-attributes.js';
import { readString } from './attributes.js';

/**
 * Who a span is for and which conversation it is part of, whatever the convention that wrote it:
 * each list is in the order it is trusted. The request's Humanloop context (`humanloop.*`, set by
 * `withHumanloop`, read from baggage, or written by the application) comes first.
 */

const CONVERSATION_KEYS = [
  CONTEXT_ATTRIBUTES.session,
  'gen_ai.conversation.id',
  'session.id',
  'traceloop.association.properties.session_id',
  'ai.telemetry.metadata.sessionId',
  'ai.settings.context.sessionId',
];

const USER_KEYS = [
  CONTEXT_ATTRIBUTES.user,
  'user.id',
  'enduser.id',
  'traceloop.association.properties.user_id',
  'ai.telemetry.metadata.userId',
  'ai.settings.context.userId',
  CONTEXT_ATTRIBUTES.runUser,
];

export function conversationIdOf(attributes: Attributes): string | undefined {
  return firstString(attributes, CONVERSATION_KEYS);
}

/** The span's user: the request context's, else the one its convention read (`conventionUser`), else the first key found. */
export function userIdOf(attributes: Attributes, conventionUser?: string): string | undefined {
  return readString(attributes, CONTEXT_ATTRIBUTES.user) ?? conventionUser ?? firstString(attributes, USER_KEYS);
}

function firstString(attributes: Attributes, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = readString(attributes, key);
    if (value) return value;
  }
  return undefined;
}
