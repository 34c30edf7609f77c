import { ROOT_CONTEXT, SpanKind, trace, type Context, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { loadFixture } from '../../../../test/helpers/fixtures.js';
import { CHAT_ATTRIBUTES, under } from '../../../../test/helpers/spans.js';

/**
 * An instrumented app: a real NodeTracerProvider whose spans are those real instrumentations
 * recorded (the fixtures, replayed live with their names, kinds, attributes, events, statuses,
 * times and nesting) plus an HTTP request with a GenAI agent, chats, a tool and a database call.
 */
export const APP_SCENARIOS = ['ai-v6', 'openai-traceloop', 'langchain-openinference', 'anthropic', 'genai-parts'] as const;

export function startApp(processors: SpanProcessor[]): { provider: NodeTracerProvider; tracer: Tracer } {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'gateway-app', 'deployment.environment.name': 'test' }),
    spanProcessors: processors,
  });
  return { provider, tracer: provider.getTracer('gateway-app', '1.0.0') };
}

/** Runs the app's work once: every fixture scenario and the agent request. Returns how many spans it made. */
export function runApp(tracer: Tracer): number {
  let count = 0;
  for (const scenario of APP_SCENARIOS) {
    const spans = loadFixture(scenario).spans;
    for (const root of roots(spans)) count += replay(tracer, root, spans, ROOT_CONTEXT);
  }
  return count + agentRequest(tracer);
}

function roots(spans: ReadableSpan[]): ReadableSpan[] {
  const ids = new Set(spans.map((span) => span.spanContext().spanId));
  return spans.filter((span) => !span.parentSpanContext || !ids.has(span.parentSpanContext.spanId));
}

/** Starts the span live under `parent`, its children under it, and ends it after them. */
function replay(tracer: Tracer, recorded: ReadableSpan, all: ReadableSpan[], parent: Context): number {
  const live = tracer.startSpan(recorded.name, { kind: recorded.kind, attributes: recorded.attributes, startTime: recorded.startTime }, parent);
  for (const event of recorded.events) live.addEvent(event.name, event.attributes ?? {}, event.time);
  let count = 1;
  const id = recorded.spanContext().spanId;
  for (const child of all.filter((span) => span.parentSpanContext?.spanId === id)) {
    count += replay(tracer, child, all, trace.setSpan(ROOT_CONTEXT, live));
  }
  live.setStatus(recorded.status);
  live.end(recorded.endTime);
  return count;
}

function agentRequest(tracer: Tracer): number {
  const http = tracer.startSpan('POST /chat', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'http.response.status_code': 200 } });
  const agent = tracer.startSpan(
    'invoke_agent helper',
    { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'helper', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.conversation.id': 'conv-7' } },
    under(http),
  );
  tracer.startSpan('chat first', { kind: SpanKind.CLIENT, attributes: CHAT_ATTRIBUTES }, under(agent)).end();
  const tool = tracer.startSpan(
    'execute_tool lookup',
    { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup', 'gen_ai.tool.call.arguments': '{"q":"x"}', 'app.flags': [true, false] } },
    under(agent),
  );
  tracer.startSpan('SELECT orders', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql' } }, under(tool)).end();
  tool.end();
  const failing = tracer.startSpan('chat second', { kind: SpanKind.CLIENT, attributes: { ...CHAT_ATTRIBUTES, 'app.scores': [0.5, 1.25] } }, under(agent));
  failing.recordException(new Error('rate limited'));
  failing.setStatus({ code: 2, message: 'rate limited' });
  failing.end();
  agent.end();
  http.end();
  return 6;
}
