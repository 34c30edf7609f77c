import type { Attributes } from '@opentelemetry/api';
import type { Convention } from './classify.js';
import { normalizeGenAi } from './conventions/genai.js';
import type { LogKind, NormalizedSpan } from './normalized.js';

/**
 * The span in the shared normalized shape, read by its convention's normalizer.
 *
 * The OTel GenAI normalizer is complete. For the AI SDK, OpenInference and Traceloop, this
 * first cut takes the kind from the convention's own kind attribute and reads the `gen_ai.*`
 * attributes those instrumentations also write (model, provider, usage); their own message
 * attributes are not read yet.
 */
export function normalize(convention: Convention, attributes: Attributes): NormalizedSpan {
  const normalized = normalizeGenAi(attributes);
  switch (convention) {
    case 'genai':
    case 'genai-bare':
      return normalized;
    case 'traceloop-legacy':
      return { ...normalized, kind: 'model' };
    case 'ai-sdk':
      return { ...normalized, kind: aiSdkKind(String(attributes['ai.operationId'])) };
    case 'openinference':
      return { ...normalized, kind: openInferenceKind(String(attributes['openinference.span.kind'])) };
    case 'traceloop':
      return { ...normalized, kind: traceloopKind(String(attributes['traceloop.span.kind'])) };
  }
}

function aiSdkKind(operationId: string): LogKind {
  if (operationId === 'ai.toolCall') return 'tool';
  if (/\.do(Generate|Stream)$/.test(operationId)) return 'model';
  if (/^ai\.(generate|stream)(Text|Object)$/.test(operationId)) return 'agent';
  return 'generic';
}

function openInferenceKind(kind: string): LogKind {
  switch (kind.toUpperCase()) {
    case 'LLM':
      return 'model';
    case 'TOOL':
      return 'tool';
    case 'AGENT':
      return 'agent';
    default:
      return 'generic';
  }
}

function traceloopKind(kind: string): LogKind {
  if (kind === 'tool') return 'tool';
  if (kind === 'agent') return 'agent';
  return 'generic';
}
