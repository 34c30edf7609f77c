import { describe, expect, it } from 'vitest';
import { mapSpan } from '../../src/mapping/map-span.js';
import { loadFixture } from '../helpers/fixtures.js';
import { MAPPER_OPTIONS, recordSpans, startSpan } from '../helpers/spans.js';

function mapAttributes(attributes: Parameters<typeof startSpan>[2]) {
  const rec = recordSpans('traceloop-app');
  startSpan(rec.tracer, 'span', attributes).end();
  return mapSpan(rec.spans()[0], MAPPER_OPTIONS);
}

// Attribute sets as OpenLLMetry writes them (0.22 instrumentations and the 0.27 SDK's withLLMCall,
// withWorkflow and withTool), from @traceloop/ai-semantic-conventions.
describe('OpenLLMetry older indexed form', () => {
  it('maps indexed prompts and completions, functions, penalties and usage', () => {
    const mapping = mapAttributes({
      'llm.request.type': 'chat',
      'gen_ai.system': 'OpenAI',
      'gen_ai.request.model': 'gpt-4',
      'gen_ai.request.temperature': 0.7,
      'llm.frequency_penalty': 0.1,
      'llm.presence_penalty': 0.2,
      'llm.top_k': 5,
      'gen_ai.prompt.0.role': 'system',
      'gen_ai.prompt.0.content': 'Be brief.',
      'gen_ai.prompt.1.role': 'user',
      'gen_ai.prompt.1.content': JSON.stringify([
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
      ]),
      'gen_ai.completion.0.role': 'assistant',
      'gen_ai.completion.0.finish_reason': 'tool_calls',
      'gen_ai.completion.0.tool_calls.0.id': 'call_1',
      'gen_ai.completion.0.tool_calls.0.name': 'lookup',
      'gen_ai.completion.0.tool_calls.0.arguments': '{"q":"a.png"}',
      'llm.request.functions.0.name': 'lookup',
      'llm.request.functions.0.description': 'Looks things up',
      'llm.request.functions.0.arguments': '{"type":"object","properties":{"q":{"type":"string"}}}',
      'gen_ai.usage.prompt_tokens': 20,
      'gen_ai.usage.completion_tokens': 8,
      'gen_ai.usage.cache_read_input_tokens': 4,
      'traceloop.association.properties.user_id': 'u-1',
      'traceloop.association.properties.session_id': 's-1',
    });
    expect(mapping.log).toMatchObject({
      config: {
        type: 'model',
        model: 'gpt-4',
        provider: 'openai',
        endpoint: 'chat',
        temperature: 0.7,
        frequency_penalty: 0.1,
        presence_penalty: 0.2,
        tools: [
          { name: 'lookup', description: 'Looks things up', parameters: { type: 'object', properties: { q: { type: 'string' } } } },
        ],
        other: { top_k: 5 },
      },
      messages: [
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
          ],
        },
      ],
      output_message: {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"a.png"}' } }],
      },
      prompt_tokens: 20,
      output_tokens: 8,
      metadata: { finish_reason: 'tool_calls', user_id: 'u-1', session_id: 's-1', usage: { cache_read_input_tokens: 4 } },
    });
    expect(mapping).toMatchObject({ conversationId: 's-1' });
  });

  it('maps a legacy completion call with the complete endpoint', () => {
    const mapping = mapAttributes({
      'llm.request.type': 'completion',
      'gen_ai.request.model': 'gpt-3.5-turbo-instruct',
      'gen_ai.prompt.0.role': 'user',
      'gen_ai.prompt.0.content': 'Say hi',
      'gen_ai.completion.0.content': 'hi',
    });
    expect(mapping.log).toMatchObject({
      config: { type: 'model', endpoint: 'complete' },
      messages: [{ role: 'user', content: 'Say hi' }],
      output: 'hi',
    });
  });
});

describe('OpenLLMetry SDK entity spans', () => {
  it('maps a workflow with keyword inputs and output, and a tool with positional ones', () => {
    const workflow = mapAttributes({
      'traceloop.span.kind': 'workflow',
      'traceloop.entity.name': 'plan_trip',
      'traceloop.workflow.name': 'plan_trip',
      'traceloop.entity.input': JSON.stringify({ args: [], kwargs: { city: 'Paris', days: 2 } }),
      'traceloop.entity.output': JSON.stringify('A two-day plan'),
    });
    expect(workflow.log).toMatchObject({
      config: { type: 'generic', name: 'plan_trip' },
      inputs: { city: 'Paris', days: 2 },
      output: 'A two-day plan',
      metadata: { workflow: 'plan_trip' },
    });
    const tool = mapAttributes({
      'traceloop.span.kind': 'tool',
      'traceloop.entity.name': 'get_weather',
      'traceloop.entity.input': JSON.stringify({ args: ['Paris', 'C'], kwargs: {} }),
      'traceloop.entity.output': JSON.stringify({ temperature: 21 }),
    });
    expect(tool.log).toMatchObject({
      config: { type: 'tool', name: 'get_weather' },
      inputs: { args: ['Paris', 'C'] },
      output: '{"temperature":21}',
    });
  });
});

describe('OpenLLMetry SDK entity spans, captured (@traceloop/node-server-sdk 0.27)', () => {
  const fixture = loadFixture('traceloop-entities');
  const map = (name: string) => mapSpan(fixture.span(name), MAPPER_OPTIONS);
  const people = { session_id: 'tl-session-1', user_id: 'tl-user-1' };

  it('maps withWorkflow and withTask to generic logs of their kind', () => {
    expect(map('trip_planner.workflow')).toMatchObject({
      conversationId: 'tl-session-1',
      log: { config: { type: 'generic', name: 'trip_planner', other: { kind: 'workflow' } }, metadata: people },
    });
    expect(map('summarize.task').log).toMatchObject({
      config: { type: 'generic', name: 'summarize', other: { kind: 'task' } },
      output: 'You said: Plan a morning in Paris, 21 °C',
    });
  });

  it('maps withAgent, which names no model, to a generic log of kind agent with its version', () => {
    const log = map('planner.agent').log;
    expect(log?.config).toEqual({ type: 'generic', name: 'planner', other: { kind: 'agent', version: 2 } });
    expect(log).toMatchObject({ inputs: { city: 'Paris' }, metadata: { ...people, agent_version: 2 } });
  });

  it('maps withTool to a tool log with its keyword arguments', () => {
    expect(map('get_weather.tool').log).toMatchObject({
      config: { type: 'tool', name: 'get_weather' },
      inputs: { city: 'Paris' },
      output: '{"city":"Paris","temperature_c":21}',
    });
  });

  it('puts the user of the association properties on the OpenAI call inside the agent', () => {
    expect(map('chat gpt-4o-mini')).toMatchObject({
      conversationId: 'tl-session-1',
      log: { config: { type: 'model', model: 'gpt-4o-mini', provider: 'openai' }, metadata: { user_id: 'tl-user-1' } },
    });
  });

  it('does not send the vector-store query of withVectorDBCall: it names no LLM convention (a DB span)', () => {
    expect(map('guidebook.query')).toEqual({ log: undefined, reason: 'not_llm' });
  });
});
