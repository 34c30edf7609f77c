import type { Attributes } from '@opentelemetry/api';
import type { Convention } from './classify.js';
import { normalizeAiSdk } from './conventions/ai-sdk.js';
import { normalizeGenAi } from './conventions/genai.js';
import { normalizeOpenInference } from './conventions/openinference.js';
import { normalizeTraceloopEntity, normalizeTraceloopLegacy } from './conventions/traceloop.js';
import type { NormalizedSpan } from './normalized.js';

/** The span in the shared normalized shape, read by its convention's normalizer. */
export function normalize(convention: Convention, attributes: Attributes): NormalizedSpan {
  switch (convention) {
    case 'ai-sdk':
      return normalizeAiSdk(attributes);
    case 'openinference':
      return normalizeOpenInference(attributes);
    case 'genai':
    case 'genai-bare':
      return normalizeGenAi(attributes);
    case 'traceloop':
      return normalizeTraceloopEntity(attributes);
    case 'traceloop-legacy':
      return normalizeTraceloopLegacy(attributes);
  }
}
