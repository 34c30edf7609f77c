import type { Attributes, AttributeValue, HrTime } from '@opentelemetry/api';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serializeJson } from '../../src/log/encoding.js';
import { validateLogBody } from 'humanloop-log-server';
import { mapSpan } from '../../src/mapping/map-span.js';
import { toReadableSpan, type SpanJson } from '../helpers/fixtures.js';
import { MAPPER_OPTIONS } from '../helpers/spans.js';

const anything = { hasReferenceId: () => true, hasLogId: () => true };

/** Strings with the odd characters: lone surrogates, NUL, emoji, RTL marks. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\uD800', 'a\uDC00b', '\u0000', '😀', '\u202E', '', ' '),
);
const number = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, Number.MAX_SAFE_INTEGER + 2),
);
const jsonText = fc.json({ maxDepth: 4 }).chain((json) => fc.constantFrom(json, json.slice(0, Math.max(0, json.length - 3))));
const value: fc.Arbitrary<AttributeValue> = fc.oneof(
  text,
  number,
  fc.boolean(),
  jsonText,
  fc.array(text, { maxLength: 4 }),
  fc.array(number, { maxLength: 4 }),
);

/** Keys that the normalizers read, so generated spans reach every code path, plus random ones. */
const KNOWN_KEYS = [
  'gen_ai.operation.name', 'gen_ai.provider.name', 'gen_ai.system', 'gen_ai.request.model', 'gen_ai.response.model',
  'gen_ai.request.temperature', 'gen_ai.request.max_tokens', 'gen_ai.request.stop_sequences', 'gen_ai.input.messages',
  'gen_ai.output.messages', 'gen_ai.system_instructions', 'gen_ai.tool.definitions', 'gen_ai.usage.input_tokens',
  'gen_ai.usage.output_tokens', 'gen_ai.tool.name', 'gen_ai.tool.call.arguments', 'gen_ai.tool.call.result',
  'gen_ai.agent.name', 'gen_ai.conversation.id', 'gen_ai.response.finish_reasons', 'gen_ai.prompt.0.role',
  'gen_ai.prompt.0.content', 'gen_ai.completion.0.content', 'llm.request.type', 'llm.request.functions.0.name',
  'ai.operationId', 'ai.prompt.messages', 'ai.prompt', 'ai.prompt.tools', 'ai.response.text', 'ai.response.toolCalls',
  'ai.toolCall.name', 'ai.toolCall.args', 'ai.usage.promptTokens', 'ai.model.id', 'ai.model.provider',
  'ai.telemetry.metadata.sessionId', 'openinference.span.kind', 'llm.input_messages.0.message.role',
  'llm.input_messages.0.message.content', 'llm.output_messages.0.message.content', 'llm.invocation_parameters',
  'llm.tools.0.tool.json_schema', 'llm.token_count.prompt', 'input.value', 'input.mime_type', 'output.value',
  'tool.name', 'metadata', 'session.id', 'traceloop.span.kind', 'traceloop.entity.input', 'traceloop.entity.output',
  'traceloop.association.properties.user_id',
];
const KINDS: Record<string, string[]> = {
  'gen_ai.operation.name': ['chat', 'text_completion', 'execute_tool', 'invoke_agent', 'invoke_workflow', 'embeddings'],
  'ai.operationId': ['ai.generateText', 'ai.generateText.doGenerate', 'ai.toolCall', 'ai.embed'],
  'openinference.span.kind': ['LLM', 'TOOL', 'AGENT', 'CHAIN', 'llm'],
  'traceloop.span.kind': ['workflow', 'task', 'agent', 'tool'],
};

const attributes: fc.Arbitrary<Attributes> = fc
  .tuple(
    fc.dictionary(fc.constantFrom(...KNOWN_KEYS), value, { maxKeys: 12 }),
    fc.dictionary(text, value, { maxKeys: 4 }),
    fc.constantFrom(...Object.keys(KINDS)).chain((key) => fc.tuple(fc.constant(key), fc.constantFrom(...KINDS[key]))),
  )
  .map(([known, random, [kindKey, kind]]) => ({ ...random, ...known, [kindKey]: kind }));

const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const time: fc.Arbitrary<HrTime> = fc.tuple(fc.oneof(fc.integer({ min: 0, max: 4_000_000_000 }), number), fc.integer({ min: 0, max: 999_999_999 }));

const span: fc.Arbitrary<SpanJson> = fc.record({
  name: text,
  kind: fc.integer({ min: 0, max: 4 }),
  traceId: hex(32),
  spanId: hex(16),
  parentSpanId: fc.option(hex(16), { nil: undefined }),
  startTime: time,
  endTime: time,
  status: fc.record({ code: fc.integer({ min: 0, max: 2 }), message: fc.option(text, { nil: undefined }) }),
  attributes,
  events: fc.array(fc.record({ name: fc.constantFrom('exception', 'other'), time, attributes: fc.dictionary(text, value, { maxKeys: 3 }) }), { maxLength: 2 }),
  resource: fc.dictionary(fc.constantFrom('service.name', 'x'), value, { maxKeys: 2 }),
  scope: fc.record({ name: text, version: fc.option(text, { nil: undefined }) }),
});

/** Valid UTF-8 on the wire: no string of the payload holds a lone surrogate. */
function everyStringWellFormed(value: unknown): boolean {
  if (typeof value === 'string') return (value as string & { isWellFormed(): boolean }).isWellFormed();
  if (Array.isArray(value)) return value.every(everyStringWellFormed);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).every(([key, item]) => everyStringWellFormed(key) && everyStringWellFormed(item));
  }
  return true;
}

describe('mapping arbitrary spans', () => {
  it('never throws, and every log it makes passes the local server validation as valid UTF-8 JSON', () => {
    fc.assert(
      fc.property(span, fc.boolean(), (json, captureContent) => {
        const mapping = mapSpan(toReadableSpan(json), { ...MAPPER_OPTIONS, captureContent });
        if (!mapping.log) return;
        const wire = serializeJson(mapping.log);
        const parsed = JSON.parse(wire) as unknown;
        expect(everyStringWellFormed(parsed)).toBe(true);
        expect(validateLogBody([parsed], anything)).toEqual([]);
        if (typeof mapping.log.duration === 'number') expect(mapping.log.duration).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 1500, seed: 20261122 },
    );
  });
});
