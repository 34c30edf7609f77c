import type { Attributes } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { validateLogBody } from 'humanloop-log-server';
import { mapSpan } from '../../src/mapping/map-span.js';
import { MAPPER_OPTIONS, recordSpans, startSpan } from '../helpers/spans.js';

const anything = { hasReferenceId: () => true, hasLogId: () => true };

const HUGE = 'x'.repeat(2_000_000);
const BROKEN = '[{"role": "user", "parts": [{"type": "text", "content": "unfinished';

/** Attribute sets that are wrong in every way an instrumentation (or a user) could get them wrong. */
const CASES: Record<string, Attributes> = {
  'genai broken JSON everywhere': {
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'm',
    'gen_ai.input.messages': BROKEN,
    'gen_ai.output.messages': '{not json',
    'gen_ai.system_instructions': '42',
    'gen_ai.tool.definitions': 'null',
  },
  'genai wrong types': {
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'm',
    'gen_ai.request.temperature': 'hot',
    'gen_ai.request.max_tokens': -5,
    'gen_ai.usage.input_tokens': 1.5,
    'gen_ai.usage.output_tokens': Number.NaN,
    'gen_ai.request.stop_sequences': [1, 2],
    'gen_ai.input.messages': JSON.stringify([
      null,
      'text',
      { role: 42, parts: 'no' },
      { role: 'tool', parts: [{ type: 'tool_call_response' }] },
      { role: 'assistant', parts: [{ type: 'tool_call' }, { type: 'blob', modality: 'image', content: 7 }] },
    ]),
    'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: { nested: true } }] }]),
  },
  'genai huge strings and odd numbers': {
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': HUGE.slice(0, 300),
    'gen_ai.request.top_p': Number.POSITIVE_INFINITY,
    'gen_ai.request.seed': -0,
    'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: HUGE }] }]),
  },
  'genai lone surrogates': {
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'm\uD800',
    'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'a\uDC00b' }] }]),
  },
  'genai tool without a name, agent without a model': {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.call.arguments': '[1,2,3]',
    'gen_ai.tool.call.result': BROKEN,
  },
  'genai unknown operation': { 'gen_ai.operation.name': 'summon_demon' },
  'ai sdk with garbage': {
    'ai.operationId': 'ai.generateText.doGenerate',
    'ai.prompt.messages': JSON.stringify([{ role: 'user', content: [{ type: 'image', image: 12 }, { type: 'file' }] }, 5]),
    'ai.prompt.tools': ['{"type":"function"', '{"name": 3}'],
    'ai.response.toolCalls': '{"not": "an array"}',
    'ai.usage.promptTokens': 'many',
  },
  'ai sdk tool call with broken args': {
    'ai.operationId': 'ai.toolCall',
    'ai.toolCall.args': BROKEN,
    'ai.toolCall.result': 12,
  },
  'openinference with holes': {
    'openinference.span.kind': 'LLM',
    'llm.input_messages.7.message.role': 'user',
    'llm.input_messages.x.message.content': 'ignored',
    'llm.input_messages.99999999.message.content': 'too far',
    'llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments': '{}',
    'llm.invocation_parameters': BROKEN,
    'llm.tools.0.tool.json_schema': BROKEN,
    metadata: '[1,2]',
  },
  'openinference tool with json input that is not JSON': {
    'openinference.span.kind': 'TOOL',
    'input.value': BROKEN,
    'input.mime_type': 'application/json',
  },
  'traceloop legacy with holes': {
    'llm.request.type': 'chat',
    'gen_ai.prompt.0.content': '[{"type":"image_url"}]',
    'gen_ai.prompt.2.role': 'function',
    'gen_ai.completion.0.tool_calls.0.arguments': '{}',
    'llm.request.functions.0.arguments': BROKEN,
  },
  'traceloop entity with broken input': {
    'traceloop.span.kind': 'task',
    'traceloop.entity.input': BROKEN,
    'traceloop.entity.output': '{"a": [1, {"b": null}]}',
  },
};

describe('malformed attributes', () => {
  it.each(Object.entries(CASES))('%s: a valid log, never an exception', (_name, attributes) => {
    const rec = recordSpans();
    startSpan(rec.tracer, 'odd span', attributes).end();
    const [span] = rec.spans();
    const mapping = mapSpan(span, MAPPER_OPTIONS);
    expect(mapping.log).toBeDefined();
    expect(validateLogBody([mapping.log], anything)).toEqual([]);
    expect(() => JSON.parse(JSON.stringify(mapping.log)) as unknown).not.toThrow();
  });

  it('drops a span that cannot even be read, with a reason, and never throws', () => {
    const hostile = new Proxy(
      {},
      {
        get(): never {
          throw new Error('hostile span');
        },
      },
    ) as never;
    expect(mapSpan(hostile, MAPPER_OPTIONS)).toEqual({ log: undefined, reason: 'mapping_error' });
  });
});
