import type { Attributes } from '@opentelemetry/api';
import { setOwn } from '../../common/own-keys.js';
import { parseJsonText, readInteger, readJson } from '../attributes.js';

/**
 * The `ai.*` attributes the Vercel AI SDK writes beside a convention's own: shared by its `ai.*`
 * spans (4 to 6) and the GenAI spans of @ai-sdk/otel (7).
 */

/** What `embed` (`ai.value`, JSON) or its model call and `embedMany` (`ai.values`, JSON each) embedded. */
export function embeddedValues(attributes: Attributes): unknown {
  const values = attributes['ai.values'];
  if (Array.isArray(values)) return values.map((value) => (typeof value === 'string' ? parseJsonText(value) ?? value : value));
  return readJson(attributes, 'ai.value');
}

const RUNTIME_CONTEXT = 'ai.settings.context.';

/**
 * The run's runtime context as @ai-sdk/otel records it (`runtimeContext: true` and the keys the
 * call includes): the AI SDK 7's user metadata, kept as given (`sessionId`, `userId`, ...).
 */
export function readRuntimeContext(attributes: Attributes, metadata: Record<string, unknown>): void {
  for (const key in attributes) {
    if (key.startsWith(RUNTIME_CONTEXT)) setOwn(metadata, key.slice(RUNTIME_CONTEXT.length), attributes[key]);
  }
}

/** The reasoning tokens @ai-sdk/otel records (with `usage: true`) where GenAI has its own attribute. */
export function aiSdkReasoningTokens(attributes: Attributes): number | undefined {
  return readInteger(attributes, 'ai.usage.outputTokenDetails.reasoningTokens');
}
