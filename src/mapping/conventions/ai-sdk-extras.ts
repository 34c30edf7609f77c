import type { Attributes } from '@opentelemetry/api';
import { parseJsonText, readJson } from '../attributes.js';

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
