import { describe, expect, it } from 'vitest';
import { mapSpan } from '../../src/mapping/map-span.js';
import { loadFixture } from '../helpers/fixtures.js';
import { MAPPER_OPTIONS } from '../helpers/spans.js';

// The AI SDK 7 through @ai-sdk/otel (captured on Node 22): OTel GenAI spans, scope `gen_ai`, with
// the SDK's own `ai.*` extras (the runtime context, usage details, embedded values).
const fixture = loadFixture('ai-v7');
const map = (name: string, nth = 0) => mapSpan(fixture.span(name, nth), MAPPER_OPTIONS);
const RUNTIME_CONTEXT = { sessionId: 'session-42', userId: 'user-7' };

describe('Vercel AI SDK 7 with @ai-sdk/otel', () => {
  it('puts the run in the session its runtime context names, and the user on its log', () => {
    const root = map('invoke_agent claude-sonnet-4-6');
    expect(root).toMatchObject({ conversationId: 'session-42' });
    expect(root.log?.metadata).toMatchObject({ ...RUNTIME_CONTEXT, user_id: 'user-7' });
    // The steps carry the runtime context too; the model calls and tool runs under them do not.
    expect(map('step 1')).toMatchObject({ conversationId: 'session-42', log: { metadata: { user_id: 'user-7' } } });
  });

  it('maps the run to an agent log named by its functionId, with the model it runs', () => {
    expect(map('invoke_agent claude-sonnet-4-6').log).toMatchObject({
      config: {
        type: 'agent',
        agent_class: 'weather-agent',
        model_config: { model: 'claude-sonnet-4-6', provider: 'anthropic', temperature: 0.3, max_tokens: 200 },
      },
      output: 'It is 21 °C in Paris.',
    });
  });

  it('maps each step to a generic log of kind agent_step under the run', () => {
    expect(map('step 1').log).toMatchObject({ config: { type: 'generic', name: 'agent_step', other: { kind: 'agent_step' } } });
  });

  it('keeps reasoning and cache tokens in metadata.usage, and the reasoning itself in metadata.reasoning', () => {
    const log = map('chat claude-sonnet-4-6', 0).log;
    expect(log).toMatchObject({ prompt_tokens: 30, output_tokens: 12 });
    expect(log?.metadata?.usage).toEqual({ reasoning_tokens: 2, cache_read_input_tokens: 10, cache_write_input_tokens: 0 });
    expect(log?.metadata?.reasoning).toBe('The user wants the weather: call the tool.');
    expect(log?.output_message).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call-1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
    });
  });

  it('maps the model call with its tool definitions, the image by URL and the tool result', () => {
    const log = map('chat claude-sonnet-4-6', 1).log;
    expect(log?.config).toMatchObject({
      tools: [{ name: 'weather', description: 'Current weather in a city', parameters: expect.objectContaining({ type: 'object' }) }],
    });
    expect(log?.messages).toEqual([
      { role: 'system', content: 'You are a weather assistant.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is the weather in Paris?' },
          { type: 'image_url', image_url: { url: 'https://example.com/paris.png' } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call-1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'call-1', content: '{"city":"Paris","temperature_c":21}' },
    ]);
    expect(log?.output).toBe('It is 21 °C in Paris.');
  });

  it('records the time to first chunk of a streamed call, in seconds', () => {
    const log = map('chat claude-sonnet-4-6', 2).log;
    expect(log?.output).toBe('Hello there!');
    expect(log?.metadata?.time_to_first_chunk).toBe(fixture.span('chat claude-sonnet-4-6', 2).attributes['gen_ai.client.operation.time_to_first_chunk']);
  });

  it('keeps a system message inside the conversation where it was', () => {
    expect(map('chat claude-sonnet-4-6', 2).log?.messages).toEqual([
      { role: 'system', content: 'Greet warmly.' },
      { role: 'user', content: 'Say hello' },
    ]);
  });

  it('maps the tool run, named by the tool, with its arguments and result', () => {
    expect(map('execute_tool weather').log).toMatchObject({
      config: { type: 'tool', name: 'weather' },
      inputs: { city: 'Paris' },
      output: '{"city":"Paris","temperature_c":21}',
      metadata: { tool_call_id: 'call-1' },
    });
  });

  it('records the failure on the call, its step and the run', () => {
    for (const name of ['chat claude-sonnet-4-6', 'step 1', 'invoke_agent claude-sonnet-4-6']) {
      const failed = fixture.spans.filter((span) => span.name === name).at(-1)!;
      expect(mapSpan(failed, MAPPER_OPTIONS).log?.error).toBe('Rate limit reached for claude-sonnet-4-6');
    }
  });

  it('maps embed and its model call to embedding logs with the text embedded, not the vectors', () => {
    const [call, embed] = fixture.spans.filter((span) => span.name === 'embeddings text-embedding-3-small');
    const config = {
      type: 'generic',
      name: 'text-embedding-3-small',
      other: { kind: 'embedding', model: 'text-embedding-3-small', provider: 'openai' },
    };
    expect(mapSpan(embed, MAPPER_OPTIONS).log).toMatchObject({ config, inputs: { input: 'Paris weather' } });
    const log = mapSpan(call, MAPPER_OPTIONS).log;
    expect(log).toMatchObject({ config, inputs: { input: ['Paris weather'] }, prompt_tokens: 6 });
    expect(JSON.stringify(log)).not.toContain('0.1,0.2');
  });
});
