import { describe, expect, it } from 'vitest';
import { mapSpan } from '../../src/mapping/map-span.js';
import { loadFixture } from '../helpers/fixtures.js';
import { MAPPER_OPTIONS } from '../helpers/spans.js';

// What the GenAI conventions added from 1.37 to 1.42 (now in their own repository), on spans a
// real tracer made as the conventions say: no package records these yet.
const fixture = loadFixture('genai-agents');
const map = (name: string) => mapSpan(fixture.span(name), MAPPER_OPTIONS);

describe('OTel GenAI workflows and agents (1.40 to 1.42)', () => {
  it('maps invoke_workflow to a generic log of kind workflow, named by gen_ai.workflow.name', () => {
    expect(map('invoke_workflow trip_planner')).toMatchObject({
      conversationId: 'conv-456',
      log: {
        config: { type: 'generic', name: 'trip_planner', other: { kind: 'workflow' } },
        messages: [{ role: 'user', content: 'Plan my Saturday in Paris.' }],
        output: 'Louvre at 9, lunch by the Seine.',
      },
    });
  });

  it('maps a remote agent (a CLIENT invoke_agent) to an agent log with its version and tokens', () => {
    const log = map('invoke_agent concierge').log;
    expect(log).toMatchObject({
      config: {
        type: 'agent',
        agent_class: 'concierge',
        model_config: { model: 'gpt-4.1', provider: 'openai' },
        other: { version: '2026-06-01' },
      },
      output: 'Booked for 12:30.',
      prompt_tokens: 200,
      output_tokens: 50,
    });
    expect(log?.metadata).toMatchObject({ agent_id: 'asst_42', agent_version: '2026-06-01' });
  });

  it('maps create_agent to an agent log with its instructions and version', () => {
    expect(map('create_agent concierge').log).toMatchObject({
      config: { type: 'agent', agent_class: 'concierge', model_config: { model: 'gpt-4.1' }, other: { version: '2026-06-01' } },
      messages: [{ role: 'system', content: 'You book things.' }],
      metadata: { agent_version: '2026-06-01' },
    });
  });

  it('maps an in-process agent that names no model (an INTERNAL invoke_agent) to a generic log of kind agent', () => {
    expect(map('invoke_agent planner').log?.config).toEqual({ type: 'generic', name: 'planner', other: { kind: 'agent' } });
  });

  it('names a tool run by its span name when gen_ai.tool.name is missing', () => {
    expect(map('execute_tool get_opening_hours').log).toMatchObject({
      config: { type: 'tool', name: 'get_opening_hours' },
      inputs: { place: 'Louvre' },
      output: '9:00-18:00',
    });
  });

  it('keeps reasoning and cache tokens in metadata.usage, and says the call streamed and when its first chunk came', () => {
    const log = map('chat o4-mini').log;
    expect(log).toMatchObject({ prompt_tokens: 90, output_tokens: 60 });
    expect(log?.metadata).toMatchObject({
      usage: { reasoning_tokens: 20, cache_read_input_tokens: 64, cache_write_input_tokens: 16 },
      stream: true,
      time_to_first_chunk: 0.42,
    });
  });
});
