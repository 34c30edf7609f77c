// A deterministic, realistic mix of LLM traces: an agent, LLM calls with ~2 KB of messages (a tail
// of 20-50 KB ones), and tool calls. Spans are real: made by the tracer passed in.
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';

const WORDS = 'the agent reads a user question and plans tool calls before it answers with care about latency tokens and cost'.split(' ');

export function lcg(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function text(random, bytes) {
  const words = [];
  let length = 0;
  while (length < bytes) {
    const word = WORDS[Math.floor(random() * WORDS.length)];
    words.push(word);
    length += word.length + 1;
  }
  return words.join(' ');
}

function chatAttributes(random, turn) {
  const large = random() < 0.05;
  const userBytes = large ? 20_000 + Math.floor(random() * 30_000) : 1_200 + Math.floor(random() * 600);
  const messages = [{ role: 'user', parts: [{ type: 'text', content: text(random, userBytes) }] }];
  if (turn > 0) {
    messages.push(
      { role: 'assistant', parts: [{ type: 'tool_call', id: `call_${turn}`, name: 'search', arguments: { q: text(random, 30) } }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: `call_${turn}`, response: { hits: text(random, 200) } }] },
    );
  }
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    'gen_ai.request.temperature': 0.2,
    'gen_ai.request.max_tokens': 512,
    'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: text(random, 300) }]),
    'gen_ai.input.messages': JSON.stringify(messages),
    'gen_ai.output.messages': JSON.stringify([
      { role: 'assistant', parts: [{ type: 'text', content: text(random, 400) }], finish_reason: 'stop' },
    ]),
    'gen_ai.tool.definitions': JSON.stringify([
      { type: 'function', name: 'search', description: 'Searches the docs', parameters: { type: 'object' } },
    ]),
    'gen_ai.usage.input_tokens': Math.floor(userBytes / 4),
    'gen_ai.usage.output_tokens': 100,
    'gen_ai.response.finish_reasons': ['stop'],
    'gen_ai.response.id': `chatcmpl-${turn}`,
  };
}

function toolAttributes(random, turn) {
  return {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': 'search',
    'gen_ai.tool.call.id': `call_${turn}`,
    'gen_ai.tool.call.arguments': JSON.stringify({ q: text(random, 40) }),
    'gen_ai.tool.call.result': JSON.stringify({ hits: text(random, 300) }),
  };
}

/** Spans in each trace makeSpans makes. */
export const TRACE_SPANS = 10;

/**
 * Makes `count` spans in traces of ten: an agent with five LLM calls and four tool calls between
 * them. Children end before their agent, as in real traces. `flat`: only LLM calls, each a root.
 */
export function makeSpans(tracer, count, seed = 1, { flat = false } = {}) {
  const random = lcg(seed);
  let made = 0;
  for (; flat && made < count; made++) tracer.startSpan('chat gpt-4o-mini', { attributes: chatAttributes(random, 0) }, ROOT_CONTEXT).end();
  for (let t = 0; made < count; t++) {
    const agent = tracer.startSpan('invoke_agent support', {
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support', 'gen_ai.request.model': 'gpt-4o-mini' },
    }, ROOT_CONTEXT);
    const under = trace.setSpan(ROOT_CONTEXT, agent);
    made++;
    for (let step = 0; step < TRACE_SPANS - 1 && made < count; step++, made++) {
      const attributes = step % 2 === 0 ? chatAttributes(random, step) : toolAttributes(random, step);
      tracer.startSpan(step % 2 === 0 ? 'chat gpt-4o-mini' : 'execute_tool search', { attributes }, under).end();
    }
    agent.end();
  }
}
