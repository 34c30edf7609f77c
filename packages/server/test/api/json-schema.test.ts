import { describe, expect, it } from 'vitest';
import { validateJson, type JsonSchema, type SchemaSet } from '../../src/api/json-schema.js';
import { V5_SCHEMAS } from '../../src/api/v5-schemas.js';

const prompt = (extra: Record<string, unknown>) => ({ path: 'p', prompt: { model: 'm' }, ...extra });

describe('the v5 schemas', () => {
  it('hold the nine request bodies and every type they reference, with no sentences', () => {
    const refs = new Set<string>();
    const walk = (value: unknown): void => {
      if (typeof value !== 'object' || value === null) return;
      for (const [key, member] of Object.entries(value)) {
        if (key === '$ref') refs.add(String(member).slice(2));
        else if (key === '$comment' || (key === 'description' && typeof member === 'string')) throw new Error(`sentence at ${key}`);
        walk(member);
      }
    };
    walk(V5_SCHEMAS);
    const bodies = ['PromptLogRequest', 'ToolLogRequest', 'FlowLogRequest', 'AgentLogRequest', 'CreateEvaluatorLogRequest'];
    const updates = ['PromptLogUpdateRequest', 'ToolLogUpdateRequest', 'UpdateFlowLogRequest', 'UpdateAgentLogRequest'];
    expect(Object.keys(V5_SCHEMAS).sort()).toEqual([...new Set([...bodies, ...updates, ...refs])].sort());
    expect(bodies.map((name) => V5_SCHEMAS[name]?.additionalProperties)).toEqual([false, false, false, true, false]);
  });
});

describe('validateJson', () => {
  it('says what a union takes when no branch takes the value', () => {
    expect(validateJson(V5_SCHEMAS, 'PromptLogRequest', prompt({ tool_choice: 'bogus', prompt: 5 }))).toEqual([
      { loc: ['body', 'tool_choice'], msg: 'must be "none", "auto", "required" or an object', type: 'type_error.union' },
      { loc: ['body', 'prompt'], msg: 'must be an object, a string or null', type: 'type_error.union' },
    ]);
  });

  it("points inside the union branch that took the value's shape", () => {
    const messages = [{ role: 'user', content: [{ type: 'text' }, { type: 'image_url', image_url: { url: 'u', detail: 'max' } }] }];
    expect(validateJson(V5_SCHEMAS, 'FlowLogRequest', { path: 'f', messages }).map((e) => e.loc)).toEqual([
      ['body', 'messages', 0, 'content', 0, 'text'],
      ['body', 'messages', 0, 'content', 1, 'image_url', 'detail'],
    ]);
  });

  it('checks date-times as RFC 3339, and integers apart from numbers', () => {
    const body = prompt({ end_time: '2025-02-30T00:00:00Z', start_time: '2025-05-01T10:00:00.5+02:00', output_tokens: 2.5 });
    expect(validateJson(V5_SCHEMAS, 'PromptLogRequest', body).map((e) => [e.loc.at(-1), e.type])).toEqual([
      ['output_tokens', 'type_error.integer'],
      ['end_time', 'value_error.datetime'],
    ]);
  });

  it('stops a self-referencing schema at the depth bound', () => {
    const schemas: SchemaSet = { Loop: { $ref: '#/Loop' } satisfies JsonSchema };
    expect(validateJson(schemas, 'Loop', {})).toEqual([expect.objectContaining({ loc: ['body'], type: 'value_error.depth' })]);
    expect(() => validateJson(schemas, 'Missing', {})).toThrow(/names no schema/);
  });
});
