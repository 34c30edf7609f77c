import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { durationSeconds, toRfc3339 } from '../../src/mapping/time.js';
import { mapSpan } from '../../src/mapping/map-span.js';
import { loadFixture } from '../helpers/fixtures.js';
import { MAPPER_OPTIONS } from '../helpers/spans.js';

/** Whole-log comparisons: what every log carries from its span, plus what the test expects. */
function expectLog(span: ReadableSpan, expected: { metadata?: Record<string, unknown>; [field: string]: unknown }) {
  const mapping = mapSpan(span, MAPPER_OPTIONS);
  const { spanId, traceId } = span.spanContext();
  const parent = span.parentSpanContext?.spanId;
  const scope = span.instrumentationScope;
  expect(mapping.log).toEqual({
    project: 'fixture-app',
    source: 'fixture-app',
    reference_id: spanId,
    created_at: toRfc3339(span.startTime),
    duration: durationSeconds(span.startTime, span.endTime),
    ...expected,
    metadata: {
      ...expected.metadata,
      otel: {
        trace_id: traceId,
        span_id: spanId,
        ...(parent ? { parent_span_id: parent } : {}),
        span_name: span.name,
        scope: scope.version ? { name: scope.name, version: scope.version } : { name: scope.name },
      },
    },
  });
}

const WEATHER_SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' } },
  required: ['city'],
  additionalProperties: false,
  $schema: 'http://json-schema.org/draft-07/schema#',
};
const TOOL_CALL = { id: 'call-1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } };
const AI_METADATA = { sessionId: 'session-42', userId: 'user-7', user_id: 'user-7' };

describe.each([
  { scenario: 'ai-v4', model: 'gpt-4o-mini', provider: 'openai', responseModel: 'gpt-4o-mini-2024-07-18', usage: undefined },
  { scenario: 'ai-v5', model: 'gpt-4o-mini', provider: 'openai', responseModel: 'gpt-4o-mini-2024-07-18', usage: undefined },
  {
    scenario: 'ai-v6',
    model: 'claude-sonnet-4-6',
    provider: 'anthropic',
    responseModel: 'claude-sonnet-4-6-20250929',
    usage: { reasoning_tokens: 2, cache_read_input_tokens: 10, cache_write_input_tokens: 0 },
  },
])('Vercel AI SDK $scenario', ({ scenario, model, provider, responseModel, usage }) => {
  const fixture = loadFixture(scenario);
  const config = { type: 'model', model, provider, endpoint: 'chat', temperature: 0.3, max_tokens: 200 } as const;
  const tools = [{ name: 'weather', description: 'Current weather in a city', parameters: WEATHER_SCHEMA }];
  const system = { role: 'system', content: 'You are a weather assistant.' } as const;
  const user = { role: 'user', content: 'What is the weather in Paris?' } as const;

  it('maps the first doGenerate span: a tool call, with its tokens', () => {
    expectLog(fixture.span('ai.generateText.doGenerate', 0), {
      config: { ...config, tools },
      messages: [system, user],
      output_message: { role: 'assistant', content: null, tool_calls: [TOOL_CALL] },
      prompt_tokens: 30,
      output_tokens: 12,
      metadata: {
        ...AI_METADATA,
        function_id: 'weather-agent',
        finish_reason: 'tool-calls',
        response_id: 'resp-1',
        response_model: responseModel,
        ...(usage ? { usage } : {}),
      },
    });
  });

  it('maps the second doGenerate span: the tool result in the messages, the answer as output', () => {
    const log = mapSpan(fixture.span('ai.generateText.doGenerate', 1), MAPPER_OPTIONS).log;
    expect(log?.messages).toEqual([
      system,
      user,
      { role: 'assistant', content: null, tool_calls: [TOOL_CALL] },
      { role: 'tool', tool_call_id: 'call-1', name: 'weather', content: '{"city":"Paris","temperature_c":21}' },
    ]);
    expect(log?.output).toBe('It is 21 °C in Paris.');
    expect([log?.prompt_tokens, log?.output_tokens]).toEqual([50, 9]);
  });

  it('maps the tool call span to a tool log with its arguments and result', () => {
    expectLog(fixture.span('ai.toolCall'), {
      config: { type: 'tool', name: 'weather' },
      inputs: { city: 'Paris' },
      output: '{"city":"Paris","temperature_c":21}',
      metadata: {
        ...(scenario === 'ai-v4' ? {} : AI_METADATA),
        function_id: 'weather-agent',
        tool_call_id: 'call-1',
      },
    });
  });

  it('maps the generateText root to an agent log without tokens (its do* spans carry them)', () => {
    expectLog(fixture.span('ai.generateText', 0), {
      config: {
        type: 'agent',
        agent_class: 'weather-agent',
        model_config: { model, provider, temperature: 0.3, max_tokens: 200 },
      },
      inputs: { system: 'You are a weather assistant.', prompt: 'What is the weather in Paris?' },
      output: 'It is 21 °C in Paris.',
      output_message: { role: 'assistant', content: 'It is 21 °C in Paris.' },
      metadata: { ...AI_METADATA, function_id: 'weather-agent', finish_reason: 'stop' },
    });
  });

  it('maps streamText: the doStream span with output and tokens', () => {
    const log = mapSpan(fixture.span('ai.streamText.doStream'), MAPPER_OPTIONS).log;
    expect(log).toMatchObject({
      config: { type: 'model', model, provider, endpoint: 'chat' },
      messages: [{ role: 'user', content: 'Say hello' }],
      output: 'Hello there!',
      prompt_tokens: scenario === 'ai-v6' ? 15 : 5,
      output_tokens: scenario === 'ai-v6' ? 5 : 3,
    });
    expect(log?.metadata?.ms_to_first_chunk).toEqual(expect.any(Number));
    // In seconds too, as every convention gives it.
    expect(log?.metadata?.time_to_first_chunk).toBe((log?.metadata?.ms_to_first_chunk as number) / 1000);
  });

  it('records the error on the failing call and its root', () => {
    const message = `Rate limit reached for ${model}`;
    expect(mapSpan(fixture.span('ai.generateText.doGenerate', 2), MAPPER_OPTIONS).log?.error).toBe(message);
    expect(mapSpan(fixture.span('ai.generateText', 1), MAPPER_OPTIONS).log?.error).toBe(message);
  });
});

describe('openai with OpenLLMetry (Traceloop 0.27) and OpenInference', () => {
  const traceloop = loadFixture('openai-traceloop');
  const openinference = loadFixture('openai-openinference');
  const getWeather = {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  };
  const toolCall = { id: 'call_fake_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } };

  it('maps a plain chat call the same way from both instrumentations', () => {
    const common = {
      config: { type: 'model', model: 'gpt-4o-mini', provider: 'openai', endpoint: 'chat', temperature: 0.2, max_tokens: 100 },
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello!' },
      ],
      output: 'You said: Hello!',
      output_message: { role: 'assistant', content: 'You said: Hello!' },
      prompt_tokens: 11,
      output_tokens: 3,
    } as const;
    expectLog(traceloop.span('chat gpt-4o-mini', 0), {
      ...common,
      metadata: { finish_reason: 'stop', response_id: 'chatcmpl-fake-1', response_model: 'gpt-4o-mini-2024-08-06' },
    });
    expectLog(openinference.span('OpenAI Chat Completions', 0), {
      ...common,
      metadata: { finish_reason: 'stop', response_model: 'gpt-4o-mini-2024-08-06' },
    });
  });

  it.each([
    ['traceloop', traceloop, 'chat gpt-4o-mini'],
    ['openinference', openinference, 'OpenAI Chat Completions'],
  ])('maps tool calls, tool definitions and tool results (%s)', (_name, fixture, spanName) => {
    const first = mapSpan(fixture.span(spanName, 1), MAPPER_OPTIONS).log;
    expect(first?.config).toMatchObject({ tools: [getWeather] });
    expect(first?.output_message).toEqual({ role: 'assistant', content: null, tool_calls: [toolCall] });
    const second = mapSpan(fixture.span(spanName, 2), MAPPER_OPTIONS).log;
    expect(second?.messages).toEqual([
      { role: 'user', content: 'What is the weather in Paris?' },
      { role: 'assistant', content: null, tool_calls: [toolCall] },
      { role: 'tool', tool_call_id: 'call_fake_2', content: '{"temperature_c":21}' },
    ]);
    expect(second?.output).toBe('Here is what I found: {"temperature_c":21}');
  });

  it('maps streamed calls (neither instrumentation records their usage)', () => {
    for (const log of [
      mapSpan(traceloop.span('chat gpt-4o-mini', 3), MAPPER_OPTIONS).log,
      mapSpan(openinference.span('OpenAI Chat Completions', 3), MAPPER_OPTIONS).log,
    ]) {
      expect(log).toMatchObject({ output: 'You said: Stream a greeting', messages: [{ role: 'user', content: 'Stream a greeting' }] });
      expect(log).not.toHaveProperty('prompt_tokens');
    }
  });

  it('does not send the app span that is not an LLM span', () => {
    expect(mapSpan(traceloop.span('weather-agent'), MAPPER_OPTIONS)).toEqual({ log: undefined, reason: 'not_llm' });
  });
});

describe('Anthropic SDK built-in tracing', () => {
  const fixture = loadFixture('anthropic');

  it('maps system instructions, text and tool use output, stop reason and cache tokens', () => {
    expectLog(fixture.spans[0], {
      config: { type: 'model', model: 'claude-sonnet-4-6', provider: 'anthropic', endpoint: 'chat', max_tokens: 256 },
      messages: [
        { role: 'system', content: 'You are a weather assistant.' },
        { role: 'user', content: 'What is the weather in Paris?' },
      ],
      output: 'Let me check.',
      output_message: {
        role: 'assistant',
        content: 'Let me check.',
        tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      prompt_tokens: 14,
      output_tokens: 7,
      metadata: {
        finish_reason: 'tool_use',
        response_id: 'msg_fake_1',
        response_model: 'claude-sonnet-4-6-20250929',
        usage: { cache_read_input_tokens: 1, cache_write_input_tokens: 2 },
      },
    });
  });
});

describe('LangChain with OpenInference', () => {
  const fixture = loadFixture('langchain-openinference');

  it('maps the chat model span with its messages and session', () => {
    const log = mapSpan(fixture.span('FakeListChatModel'), MAPPER_OPTIONS).log;
    expect(log).toMatchObject({
      config: { type: 'generic', name: 'FakeListChatModel', other: { kind: 'model' } },
      messages: [
        { role: 'system', content: 'You are a weather assistant.' },
        { role: 'user', content: 'Weather in Paris?' },
      ],
      output: 'Paris is sunny today.',
      metadata: { session_id: 'lc-session-1', conversation_id: 'lc-session-1' },
    });
    expect(mapSpan(fixture.span('FakeListChatModel'), MAPPER_OPTIONS)).toMatchObject({ conversationId: 'lc-session-1' });
  });

  it('maps the prompt template variables as inputs and the tool with its input', () => {
    expect(mapSpan(fixture.span('ChatPromptTemplate'), MAPPER_OPTIONS).log).toMatchObject({
      config: { type: 'generic', name: 'ChatPromptTemplate' },
      inputs: { role: 'weather assistant', question: 'Weather in Paris?' },
      metadata: { prompt_template: 'You are a {role}.', span_kind: 'PROMPT' },
    });
    expect(mapSpan(fixture.span('lookup_weather'), MAPPER_OPTIONS).log).toMatchObject({
      config: { type: 'tool', name: 'lookup_weather' },
      inputs: { input: 'Paris' },
      output: '21 °C in Paris',
    });
  });

  it("maps a provider's chat model with its provider, from LangChain's ls_provider", () => {
    expect(mapSpan(loadFixture('langchain-openai').span('ChatOpenAI'), MAPPER_OPTIONS).log).toMatchObject({
      config: { type: 'model', model: 'gpt-4o-mini', provider: 'openai', endpoint: 'chat', temperature: 0.2 },
      messages: [
        { role: 'system', content: 'You are a travel guide.' },
        { role: 'user', content: 'What opens early in Paris?' },
      ],
      output: 'You said: What opens early in Paris?',
      prompt_tokens: 18,
      output_tokens: 7,
    });
  });
});

describe('OTel GenAI, newest parts form', () => {
  const fixture = loadFixture('genai-parts');

  it('maps images, reasoning (left out), tool calls and results, every parameter and usage detail', () => {
    expectLog(fixture.span('chat anthropic.claude-3-5-sonnet'), {
      config: {
        type: 'model',
        model: 'anthropic.claude-3-5-sonnet',
        provider: 'bedrock',
        endpoint: 'chat',
        temperature: 0.5,
        max_tokens: 512,
        top_p: 0.9,
        stop: ['END'],
        seed: 7,
        tools: [{ name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object' } }],
        other: { top_k: 40 },
      },
      messages: [
        { role: 'system', content: 'You plan trips.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Plan a day in Paris. Here is a photo.' },
            { type: 'image_url', image_url: { url: 'https://example.com/paris.jpg' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_9', content: '{"temperature_c":21}' },
      ],
      output: 'Morning: Louvre. Afternoon: a walk by the Seine.',
      output_message: { role: 'assistant', content: 'Morning: Louvre. Afternoon: a walk by the Seine.' },
      prompt_tokens: 120,
      output_tokens: 40,
      metadata: {
        finish_reason: 'stop',
        response_id: 'msg_bdrk_1',
        response_model: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
        conversation_id: 'conv-123',
        usage: { reasoning_tokens: 8, cache_read_input_tokens: 100 },
      },
    });
  });

  it('maps the agent and the tool span', () => {
    expectLog(fixture.span('invoke_agent travel-agent'), {
      config: {
        type: 'agent',
        agent_class: 'travel-agent',
        model_config: { model: 'anthropic.claude-3-5-sonnet', provider: 'bedrock' },
      },
      metadata: { agent_id: 'agent-7', conversation_id: 'conv-123' },
    });
    expectLog(fixture.span('execute_tool get_weather'), {
      config: { type: 'tool', name: 'get_weather', description: 'Weather in a city' },
      inputs: { city: 'Paris' },
      output: '{"temperature_c":21}',
      metadata: { tool_call_id: 'call_9', tool_type: 'function' },
    });
  });
});
