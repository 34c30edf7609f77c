import { ROOT_CONTEXT, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import type { SpanMapperOptions } from '../../src/mapping/map-span.js';

/** Real spans from a real tracer provider, captured in memory. */
export function recordSpans(serviceName = 'test-service'): {
  tracer: Tracer;
  spans(): ReadableSpan[];
  /** Forgets the spans recorded so far. */
  clear(): void;
  shutdown(): Promise<void>;
} {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return {
    tracer: provider.getTracer('test-scope', '1.2.3'),
    spans: () => exporter.getFinishedSpans(),
    clear: () => exporter.reset(),
    shutdown: () => provider.shutdown(),
  };
}

/** The mapper's options as the exporter passes them by default: no project or source set, content captured. */
export const MAPPER_OPTIONS: SpanMapperOptions = { project: undefined, source: undefined, captureContent: true };

/** A chat span in the current OTel GenAI form. */
export const CHAT_ATTRIBUTES: Attributes = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.response.model': 'gpt-4o-2024-08-06',
  'gen_ai.request.temperature': 0.2,
  'gen_ai.request.max_tokens': 256,
  'gen_ai.usage.input_tokens': 12,
  'gen_ai.usage.output_tokens': 5,
  'gen_ai.response.finish_reasons': ['stop'],
  'gen_ai.response.id': 'chatcmpl-1',
  'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'Be brief.' }]),
  'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Hi there' }] }]),
  'gen_ai.output.messages': JSON.stringify([
    { role: 'assistant', parts: [{ type: 'text', content: 'Hello!' }], finish_reason: 'stop' },
  ]),
};

/** The context that makes `parent` the parent of a new span (no global context manager is needed). */
export function under(parent: Span): Context {
  return trace.setSpan(ROOT_CONTEXT, parent);
}

/** Starts a span, as a child of `parent` when given (a root otherwise). */
export function startSpan(tracer: Tracer, name: string, attributes: Attributes = {}, parent?: Span): Span {
  return tracer.startSpan(name, { attributes }, parent ? under(parent) : ROOT_CONTEXT);
}

/** `count` ended chat spans named `chat 0`, `chat 1`, …, each the root of its own trace. */
export function chatSpans(count: number, attributes: Attributes = CHAT_ATTRIBUTES): ReadableSpan[] {
  const rec = recordSpans();
  for (let i = 0; i < count; i++) startSpan(rec.tracer, `chat ${i}`, attributes).end();
  return rec.spans();
}
