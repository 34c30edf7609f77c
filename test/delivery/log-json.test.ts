import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quoteJson, serializeJson } from '../../src/log/encoding.js';
import { encodeLog, serializeLog } from '../../src/log/log-json.js';

/** Text with everything JSON escapes or servers refuse: quotes, backslashes, controls, lone and paired surrogates. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.constantFrom('', 'plain words', 'a "quote"', 'back\\slash', 'line\nbreak', '\u0000', '\uD800', 'x\uDC00y', '😀', '\u2028', '\\uD800'),
);
const json = fc.jsonValue({ maxDepth: 3 });
const message = fc.record(
  {
    role: fc.oneof(text, json),
    content: fc.oneof(text, fc.constant(null), fc.array(fc.record({ type: fc.constant('text'), text })), json),
    name: text,
    tool_calls: fc.array(fc.record({ id: text, function: fc.record({ name: text, arguments: text }) }), { maxLength: 2 }),
    extra: fc.oneof(json, fc.constant(undefined)),
  },
  { requiredKeys: [] },
);
const log = fc.record(
  {
    project: text,
    messages: fc.oneof(fc.array(fc.oneof(message, json, fc.constant(undefined)), { maxLength: 4 }), json),
    output: fc.oneof(text, json, fc.constant(undefined)),
    output_message: fc.oneof(message, json),
    metadata: fc.dictionary(text, json, { maxKeys: 4 }),
    inputs: json,
  },
  { requiredKeys: [] },
);

/** The JSON the exporter wrote before: JSON.stringify, lone surrogates as U+FFFD. */
const reference = (value: object): unknown => JSON.parse(serializeJson(value));
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

describe('serializeLog', () => {
  it('writes the same JSON as JSON.stringify, lone surrogates replaced, for any log', () => {
    fc.assert(
      fc.property(log, (value) => {
        const written = serializeLog(value);
        expect(JSON.parse(written)).toEqual(reference(value));
        expect(JSON.parse(strictUtf8.decode(encodeLog(value)))).toEqual(reference(value));
      }),
      { numRuns: 2_000 },
    );
  });

  it('quotes message text as it is, and escapes what JSON must escape', () => {
    const written = serializeLog({
      project: 'p',
      messages: [{ role: 'user', content: 'say "hi"\n\\' }, { role: 'assistant', content: 'lone \uD800 half' }],
      output: 'plain',
    });
    expect(written).toBe('{"project":"p","messages":[{"role":"user","content":"say \\"hi\\"\\n\\\\"},{"role":"assistant","content":"lone \uFFFD half"}],"output":"plain"}');
  });

  it('leaves to JSON.stringify what is not a plain object, and what it leaves out stays out', () => {
    const when = new Date(0);
    const custom = { toJSON: () => ({ shown: true }) };
    const value = {
      output: when,
      output_message: custom,
      messages: [undefined, () => 1, { role: 'user', content: undefined, when }, Symbol('s')],
      metadata: { kept: 1, dropped: undefined },
    };
    expect(JSON.parse(serializeLog(value))).toEqual(JSON.parse(JSON.stringify(value)));
    expect(serializeLog(new Map([['a', 1]]))).toBe('{}');
    expect(serializeLog({})).toBe('{}');
    expect(serializeLog({ messages: [] })).toBe('{"messages":[]}');
  });

  it('keeps an own __proto__ key as data, as JSON.stringify does', () => {
    const value = JSON.parse('{"__proto__":{"x":1},"output":"o"}') as object;
    expect(serializeLog(value)).toBe(JSON.stringify(value));
  });

  it('throws where JSON.stringify throws (the caller skips the span), rather than writing bad JSON', () => {
    const cyclic: Record<string, unknown> = { role: 'user' };
    cyclic.self = cyclic;
    expect(() => serializeLog({ messages: [cyclic] })).toThrow(TypeError);
    expect(() => serializeLog({ output: 1n })).toThrow(TypeError);
  });
});

describe('quoteJson', () => {
  /** Text made of what each way through quoteJson handles: plain, escaped here, or left to JSON.stringify. */
  const escapable = fc
    .array(fc.constantFrom('a', ' ', 'é', '😀', '"', '\\', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u001f', '\u007f', '\u2028', '\uD800', '\uDC00'), { maxLength: 40 })
    .map((chars) => chars.join(''));

  it('writes exactly what JSON.stringify writes, lone surrogates as U+FFFD', () => {
    fc.assert(
      fc.property(fc.oneof(escapable, text), (value) => {
        expect(quoteJson(value)).toBe(serializeJson(value));
      }),
      { numRuns: 5_000 },
    );
  });

  it('escapes quotes, backslashes, line breaks and tabs itself, other controls and lone surrogates as JSON.stringify does', () => {
    expect(quoteJson('a "b" \\ c\n\r\td\\"')).toBe('"a \\"b\\" \\\\ c\\n\\r\\td\\\\\\""');
    expect(quoteJson('bell\u0007')).toBe('"bell\\u0007"');
    expect(quoteJson('half \uD83D')).toBe('"half \uFFFD"');
  });
});
