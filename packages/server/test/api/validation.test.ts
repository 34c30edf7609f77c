import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { validateLogRequest } from '../../src/testing/index.js';
import { log, startClient, type Client } from './client.js';

let c: Client;

beforeAll(async () => {
  c = await startClient();
});

beforeEach(() => c.server.clear());

afterAll(() => c.server.close());

type Loc = Array<string | number>;

/** POSTs `body`, expects 422 and exactly these `loc`s (in any order), and that nothing was stored. */
async function expectLocs(body: unknown, expected: Loc[]): Promise<void> {
  const stored = c.server.logCount();
  const detail = await c.rejected(body);
  const key = (loc: Loc) => JSON.stringify(loc);
  expect(detail.map((d) => key(d.loc)).sort()).toEqual(expected.map(key).sort());
  for (const d of detail) expect(d).toEqual({ loc: d.loc, msg: expect.any(String), type: expect.any(String) });
  expect(c.server.logCount()).toBe(stored);
}

const model = (extra: Record<string, unknown>) => log({ config: { type: 'model', model: 'm', ...extra } });

/** Every field the contract knows, filled in validly. */
const COMPLETE = log({
  project_id: 'pr_1',
  session_reference_id: 's',
  source: 'otel',
  reference_id: 'complete',
  trial_id: 't',
  output: 'o',
  error: 'e',
  environment: 'production',
  config_id: 'c',
  stdout: '',
  source_datapoint_id: 'd',
  inputs: { a: 1 },
  metadata: { b: [1] },
  provider_request: {},
  provider_response: { c: null },
  created_at: '2026-11-22T10:00:00.123456+05:30',
  duration: 0,
  prompt_tokens: 0,
  output_tokens: 12,
  prompt_cost: 0.25,
  output_cost: -1,
  save: false,
  messages: [
    { role: 'system', content: null },
    { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image_url', image_url: { url: 'u', detail: 'low' } }] },
    { role: 'assistant', content: '', name: null, tool_call_id: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f' } }] },
    { role: 'tool', content: 'r', tool_call_id: 'c1', name: 'f', tool_calls: null },
  ],
  output_message: { role: 'assistant', content: 'ok' },
  feedback: [{ type: 'rating', value: ['good'] }, { type: 'score', value: 1.5 }],
  config: {
    type: 'model',
    model: 'gpt-4o',
    name: 'n',
    description: 'd',
    provider: 'openai_azure',
    endpoint: 'chat',
    max_tokens: 100,
    temperature: 0.5,
    top_p: 1,
    presence_penalty: -1,
    frequency_penalty: 0,
    stop: ['x'],
    seed: 7,
    other: {},
    response_format: { type: 'json_schema', json_schema: { name: 's' } },
    prompt_template: 't',
    chat_template: [{ role: 'system', content: 'be brief' }],
    tools: [{ name: 't', description: 'd', parameters: { type: 'object' }, strict: true, source: 'inline', source_code: 'x', other: {} }],
  },
});

describe('valid requests', () => {
  it('accepts a log with every known field filled in', async () => {
    expect(await c.post(COMPLETE)).toMatchObject({ id: expect.stringMatching(/^data_/) });
  });

  it('accepts each config type, and no config when config_id or trial_id is given', async () => {
    const configs = [
      { type: 'tool', name: 't', description: 'd', parameters: { type: 'object' }, strict: false, source: 'organization', source_code: 's', other: {} },
      { type: 'generic', name: 'g', description: 'd', other: { kind: 'chain' } },
      { type: 'generic' },
      { type: 'agent', agent_class: 'A', model_config: { model: 'm' }, tools: [{ type: 'tool', name: 't' }], name: 'a', description: 'd', other: {} },
      { type: 'agent', agent_class: 'A', model_config: { type: 'model', model: 'm', provider: 'anthropic' } },
      { type: 'model', model: 'm', stop: 'END' },
    ];
    for (const config of configs) await c.post(log({ config }));
    await c.post([log({ config: undefined, config_id: 'c' }), log({ config: undefined, trial_id: 't' })]);
    expect(c.server.logs()).toHaveLength(configs.length + 2);
  });

  it('accepts RFC 3339 date-times with Z or an offset, fractions and leap seconds', async () => {
    for (const created_at of ['2026-11-22T10:00:00Z', '2026-11-22t10:00:00.1z', '2024-02-29T23:59:60-08:00', '0050-01-01T00:00:00+00:00']) {
      await c.post(log({ created_at }));
    }
  });
});

describe('LogRequest fields', () => {
  it('needs an object', async () => {
    await expectLocs('a string', [['body']]);
    await expectLocs(null, [['body']]);
    await expectLocs([log(), 5, []], [['body', 1], ['body', 2]]);
  });

  it('needs project or project_id, as non-empty strings', async () => {
    await expectLocs({ config: { type: 'generic' } }, [['body', 'project']]);
    await expectLocs(log({ project: '' }), [['body', 'project']]);
    await expectLocs(log({ project: undefined, project_id: 5 }), [['body', 'project_id']]);
  });

  it('types every known string field', async () => {
    const fields = ['session_id', 'session_reference_id', 'parent_id', 'parent_reference_id', 'source', 'reference_id', 'trial_id'];
    fields.push('output', 'error', 'environment', 'config_id', 'stdout', 'source_datapoint_id', 'trace_parent_id');
    await expectLocs(
      fields.map((field) => log({ [field]: 1 })),
      fields.map((field, index) => ['body', index, field]),
    );
  });

  it('allows one of session_id and session_reference_id, and one of parent_id and parent_reference_id', async () => {
    await expectLocs(log({ session_id: 'a', session_reference_id: 'b' }), [['body', 'session_reference_id']]);
    const parent = (await c.post(log({ reference_id: 'p' }))) as { id: string };
    const both = await c.rejected(log({ parent_id: parent.id, parent_reference_id: 'p' }));
    expect(both).toEqual([expect.objectContaining({ loc: ['body', 'parent_reference_id'], type: 'value_error.exclusive' })]);
  });

  it('needs objects for inputs, metadata, provider_request and provider_response', async () => {
    await expectLocs(log({ inputs: [], metadata: null, provider_request: 'x', provider_response: 1 }), [
      ['body', 'inputs'],
      ['body', 'metadata'],
      ['body', 'provider_request'],
      ['body', 'provider_response'],
    ]);
  });

  it('needs real RFC 3339 date-times', async () => {
    const bad = ['2026-02-30T10:00:00Z', '2026-11-22 10:00:00Z', '2026-11-22T10:00:00', '2026-11-22T24:00:00Z', '2026-11-22T10:00:00+24:00', '2026-11-22', 1];
    await expectLocs(
      bad.map((created_at) => log({ created_at })),
      bad.map((_, index) => ['body', index, 'created_at']),
    );
  });

  it('bounds numbers: durations, token counts, costs, and save is a boolean', async () => {
    await expectLocs(
      log({ duration: -0.5, prompt_tokens: 1.5, output_tokens: -1, prompt_cost: null, output_cost: '1', save: 'true' }),
      [['body', 'duration'], ['body', 'prompt_tokens'], ['body', 'output_tokens'], ['body', 'prompt_cost'], ['body', 'output_cost'], ['body', 'save']],
    );
    // 1e400 is valid JSON that parses to Infinity.
    const detail = await c.rejected('{"project":"p","config":{"type":"generic"},"duration":1e400}');
    expect(detail.map((d) => d.loc)).toEqual([['body', 'duration']]);
  });

  it('rejects the whole request and lists every problem of every item', async () => {
    await expectLocs([log(), log({ duration: -1 }), log({ config: { type: 'model' } }), log({ save: 1, output: 2 })], [
      ['body', 1, 'duration'],
      ['body', 2, 'config', 'model'],
      ['body', 3, 'save'],
      ['body', 3, 'output'],
    ]);
  });
});

describe('messages', () => {
  it('checks roles, content and its parts', async () => {
    const messages = [
      'hello',
      { content: 'no role' },
      { role: 'developer' },
      { role: 'user', content: 5 },
      { role: 'user', content: [{ type: 'text' }, { type: 'image_url', image_url: { url: 1, detail: 'max' } }, { type: 'audio' }, 'x'] },
      { role: 'user', content: [{ type: 'image_url' }, { type: 'image_url', image_url: 'u' }] },
    ];
    await expectLocs(log({ messages }), [
      ['body', 'messages', 0],
      ['body', 'messages', 1, 'role'],
      ['body', 'messages', 2, 'role'],
      ['body', 'messages', 3, 'content'],
      ['body', 'messages', 4, 'content', 0, 'text'],
      ['body', 'messages', 4, 'content', 1, 'image_url', 'url'],
      ['body', 'messages', 4, 'content', 1, 'image_url', 'detail'],
      ['body', 'messages', 4, 'content', 2, 'type'],
      ['body', 'messages', 4, 'content', 3],
      ['body', 'messages', 5, 'content', 0, 'image_url'],
      ['body', 'messages', 5, 'content', 1, 'image_url'],
    ]);
    await expectLocs(log({ messages: { role: 'user' } }), [['body', 'messages']]);
  });

  it('checks names, tool calls, and that a tool message names the call it answers', async () => {
    const messages = [
      { role: 'assistant', name: 1, tool_call_id: 2 },
      { role: 'assistant', tool_calls: [{ id: 1, type: 'fn', function: { name: 1, arguments: {} } }, { id: 'c' }, 'x'] },
      { role: 'assistant', tool_calls: {} },
      { role: 'tool', content: 'result' },
      { role: 'tool', content: 'result', tool_call_id: null },
    ];
    await expectLocs(log({ messages }), [
      ['body', 'messages', 0, 'name'],
      ['body', 'messages', 0, 'tool_call_id'],
      ['body', 'messages', 1, 'tool_calls', 0, 'id'],
      ['body', 'messages', 1, 'tool_calls', 0, 'type'],
      ['body', 'messages', 1, 'tool_calls', 0, 'function', 'name'],
      ['body', 'messages', 1, 'tool_calls', 0, 'function', 'arguments'],
      ['body', 'messages', 1, 'tool_calls', 1, 'type'],
      ['body', 'messages', 1, 'tool_calls', 1, 'function'],
      ['body', 'messages', 1, 'tool_calls', 2],
      ['body', 'messages', 2, 'tool_calls'],
      ['body', 'messages', 3, 'tool_call_id'],
      ['body', 'messages', 4, 'tool_call_id'],
    ]);
  });

  it('checks output_message as a message', async () => {
    await expectLocs(log({ output_message: 'text' }), [['body', 'output_message']]);
    await expectLocs(log({ output_message: { role: 'tool' } }), [['body', 'output_message', 'tool_call_id']]);
  });
});

describe('config', () => {
  it('is required, an object, with a known type', async () => {
    await expectLocs(log({ config: undefined }), [['body', 'config']]);
    await expectLocs(log({ config: 'gpt-4o' }), [['body', 'config']]);
    await expectLocs(log({ config: { model: 'm' } }), [['body', 'config', 'type']]);
    const detail = await c.rejected(log({ config: { type: 'flow' } }));
    expect(detail).toEqual([expect.objectContaining({ loc: ['body', 'config', 'type'], type: 'value_error.discriminator' })]);
  });

  it('checks a model config', async () => {
    await expectLocs(log({ config: { type: 'model' } }), [['body', 'config', 'model']]);
    await expectLocs(model({ model: '' }), [['body', 'config', 'model']]);
    const bad = {
      name: 1,
      description: 2,
      provider: 'mistral',
      endpoint: 'embed',
      max_tokens: 1.5,
      temperature: 'hot',
      top_p: null,
      presence_penalty: [],
      frequency_penalty: {},
      stop: [1],
      seed: 'x',
      other: [],
      response_format: { type: 'text', json_schema: [] },
      prompt_template: 3,
      chat_template: [{ role: 'bot' }],
      tools: [{ description: 1, parameters: [], strict: 'yes', source: 'remote', source_code: 1, other: 'x' }, 'tool'],
    };
    const fields = Object.keys(bad).filter((field) => !['response_format', 'chat_template', 'tools'].includes(field));
    await expectLocs(model(bad), [
      ...fields.map((field) => ['body', 'config', field]),
      ['body', 'config', 'response_format', 'type'],
      ['body', 'config', 'response_format', 'json_schema'],
      ['body', 'config', 'chat_template', 0, 'role'],
      ...['name', 'description', 'parameters', 'strict', 'source', 'source_code', 'other'].map((f) => ['body', 'config', 'tools', 0, f]),
      ['body', 'config', 'tools', 1],
    ]);
    await expectLocs(model({ response_format: 'json' }), [['body', 'config', 'response_format']]);
  });

  it('checks a tool config', async () => {
    const config = { type: 'tool', description: 1, parameters: [], strict: 'yes', source: 'remote', source_code: 1, other: 'x' };
    await expectLocs(
      log({ config }),
      ['name', 'description', 'parameters', 'strict', 'source', 'source_code', 'other'].map((f) => ['body', 'config', f]),
    );
  });

  it('checks a generic config', async () => {
    await expectLocs(log({ config: { type: 'generic', name: 1, description: 2, other: [] } }), [
      ['body', 'config', 'name'],
      ['body', 'config', 'description'],
      ['body', 'config', 'other'],
    ]);
  });

  it('checks an agent config and its model config and tools', async () => {
    await expectLocs(log({ config: { type: 'agent', agent_class: '', tools: [{ type: 'tool', name: '' }] } }), [
      ['body', 'config', 'agent_class'],
      ['body', 'config', 'model_config'],
      ['body', 'config', 'tools', 0, 'name'],
    ]);
    await expectLocs(log({ config: { type: 'agent' } }), [
      ['body', 'config', 'agent_class'],
      ['body', 'config', 'model_config'],
    ]);
    const config = {
      type: 'agent',
      agent_class: 1,
      model_config: { type: 'tool', model: '', temperature: 'x' },
      tools: [{ type: 'model', name: 't' }, { name: 1 }],
      name: 1,
      description: 2,
      other: [],
    };
    await expectLocs(log({ config }), [
      ['body', 'config', 'agent_class'],
      ['body', 'config', 'model_config', 'type'],
      ['body', 'config', 'model_config', 'model'],
      ['body', 'config', 'model_config', 'temperature'],
      ['body', 'config', 'tools', 0, 'type'],
      ['body', 'config', 'tools', 1, 'type'],
      ['body', 'config', 'tools', 1, 'name'],
      ['body', 'config', 'name'],
      ['body', 'config', 'description'],
      ['body', 'config', 'other'],
    ]);
    await expectLocs(log({ config: { type: 'agent', agent_class: 'A', model_config: 'gpt-4o' } }), [['body', 'config', 'model_config']]);
  });
});

describe('feedback', () => {
  it('is an object or a list of them, with a type and a boolean, number, string or list of strings', async () => {
    await c.post(log({ feedback: { type: 'thumbs', value: true } }));
    await expectLocs(log({ feedback: { type: 1, value: {} } }), [
      ['body', 'feedback', 'type'],
      ['body', 'feedback', 'value'],
    ]);
    await expectLocs(log({ feedback: [{ value: 'x' }, { type: 't', value: [1] }, { type: 't' }, 3] }), [
      ['body', 'feedback', 0, 'type'],
      ['body', 'feedback', 1, 'value'],
      ['body', 'feedback', 2, 'value'],
      ['body', 'feedback', 3],
    ]);
  });
});

describe('the parent rule', () => {
  it('accepts a parent logged by an earlier request, by reference_id or by id', async () => {
    const parent = (await c.post(log({ reference_id: 'root' }))) as { id: string };
    await c.post([
      log({ reference_id: 'a', parent_reference_id: 'root', trace_parent_id: parent.id }),
      log({ reference_id: 'b', parent_id: parent.id }),
    ]);
    expect(c.server.logs()).toHaveLength(3);
  });

  it('refuses a parent named in the same request, saying so', async () => {
    const detail = await c.rejected([log({ reference_id: 'a' }), log({ reference_id: 'b', parent_reference_id: 'a' })]);
    expect(detail).toEqual([
      { loc: ['body', 1, 'parent_reference_id'], msg: expect.stringContaining('same request'), type: 'value_error.parent_same_request' },
    ]);
    expect(c.server.logs()).toEqual([]);
  });

  it('refuses a parent that names nothing stored', async () => {
    const detail = await c.rejected([
      log({ parent_reference_id: 'nowhere' }),
      log({ parent_id: 'data_nowhere' }),
      log({ trace_parent_id: 'data_nowhere' }),
    ]);
    expect(detail.map((d) => [d.loc, d.type])).toEqual([
      [['body', 0, 'parent_reference_id'], 'value_error.parent_unknown'],
      [['body', 1, 'parent_id'], 'value_error.parent_unknown'],
      [['body', 2, 'trace_parent_id'], 'value_error.parent_unknown'],
    ]);
  });

  it('forgets parents on clear()', async () => {
    await c.post(log({ reference_id: 'root' }));
    c.server.clear();
    await expectLocs(log({ parent_reference_id: 'root' }), [['body', 'parent_reference_id']]);
  });
});

describe('validateLogRequest', () => {
  it('checks one LogRequest without the server, at the loc it is given', () => {
    expect(validateLogRequest(COMPLETE)).toEqual([]);
    expect(validateLogRequest(log({ duration: -1 })).map((e) => e.loc)).toEqual([['body', 'duration']]);
    expect(validateLogRequest(log({ duration: -1 }), ['body', 3]).map((e) => e.loc)).toEqual([['body', 3, 'duration']]);
    // The parent rule needs the server's memory, so it is not checked here.
    expect(validateLogRequest(log({ parent_reference_id: 'anything' }))).toEqual([]);
  });
});
