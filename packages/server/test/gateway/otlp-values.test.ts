import { describe, expect, it } from 'vitest';
import { convertRequest } from '../../src/gateway/otlp-spans.js';
import { attributes, idHex } from '../../src/gateway/otlp-values.js';

describe('OTLP values → OTel attribute values', () => {
  it('keeps scalars and scalar arrays, turns key-value lists into JSON and bytes into base64', () => {
    const converted = attributes([
      { key: 's', value: { stringValue: 'x' } },
      { key: 'b', value: { boolValue: false } },
      { key: 'i', value: { intValue: '9007199254740991' } },
      { key: 'd', value: { doubleValue: 'NaN' } },
      { key: 'inf', value: { doubleValue: '-Infinity' } },
      { key: 'bytes', value: { bytesValue: new Uint8Array([1, 2, 3]) } },
      { key: 'ints', value: { arrayValue: { values: [{ intValue: 1 }, { intValue: '2' }] } } },
      { key: 'mixed', value: { arrayValue: { values: [{ intValue: 1 }, { stringValue: 'a' }] } } },
      { key: 'nested', value: { arrayValue: { values: [{ stringValue: 'a' }, { kvlistValue: { values: [{ key: 'k', value: { boolValue: true } }] } }] } } },
      { key: 'kv', value: { kvlistValue: { values: [{ key: 'a', value: { arrayValue: { values: [{ doubleValue: 1.5 }] } } }, { key: 'e' }] } } },
      { key: 'empty', value: {} },
      { key: 'no value' },
      { value: { stringValue: 'no key' } },
      'not an object',
    ]);
    expect(converted).toEqual({
      s: 'x',
      b: false,
      i: 9007199254740991,
      d: NaN,
      inf: -Infinity,
      bytes: 'AQID',
      ints: [1, 2],
      mixed: ['1', 'a'],
      nested: ['a', '{"k":true}'],
      kv: '{"a":[1.5],"e":null}',
    });
  });

  it('keeps __proto__, constructor and prototype as ordinary attribute names: own data properties, no phantom keys', () => {
    const names = ['__proto__', 'constructor', 'prototype'];
    const kvlist = { kvlistValue: { values: names.map((key) => ({ key, value: { arrayValue: { values: [{ stringValue: key }] } } })) } };
    const cases: Array<[unknown, unknown]> = [
      [{ arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } }, ['a', 'b']],
      [kvlist, '{"__proto__":["__proto__"],"constructor":["constructor"],"prototype":["prototype"]}'],
      [{ stringValue: 'text' }, 'text'],
    ];
    for (const [value, expected] of cases) {
      const converted = attributes([...names.map((key) => ({ key, value })), { key: 'plain', value: { boolValue: true } }]);
      expect(Object.getPrototypeOf(converted)).toBe(Object.prototype);
      const seen: string[] = [];
      for (const key in converted) seen.push(key);
      expect(seen).toEqual([...names, 'plain']);
      for (const key of names) {
        expect(Object.getOwnPropertyDescriptor(converted, key)).toEqual({ value: expected, writable: true, enumerable: true, configurable: true });
      }
    }
  });

  it('cuts off key-value lists nested past 64 levels instead of recursing without bound', () => {
    let value: unknown = { stringValue: 'leaf' };
    for (let i = 0; i < 100_000; i++) value = { kvlistValue: { values: [{ key: 'k', value }] } };
    const text = attributes([{ key: 'deep', value }]).deep as string;
    expect(text.startsWith('{"k":{"k":')).toBe(true);
    expect(text).toContain('null');
    expect(text).not.toContain('leaf');
  });

  it('reads ids from bytes, hex (any case) or base64, and refuses other lengths', () => {
    expect(idHex(new Uint8Array(8).fill(0xab), 8)).toBe('abababababababab');
    expect(idHex('ABABABABABABABAB', 8)).toBe('abababababababab');
    expect(idHex(Buffer.alloc(8, 0xab).toString('base64'), 8)).toBe('abababababababab');
    expect(idHex('abab', 8)).toBeUndefined();
    expect(idHex(new Uint8Array(3), 8)).toBeUndefined();
    expect(idHex(42, 8)).toBeUndefined();
    expect(idHex('', 8)).toBe('');
  });
});

describe('OTLP request → spans', () => {
  const span = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '00f067aa0ba902b7',
    flags: 0x301,
    name: 'chat',
    kind: 'SPAN_KIND_CLIENT',
    startTimeUnixNano: '1767225600123456789',
    endTimeUnixNano: '1767225601000000001',
    events: [{ name: 'gen_ai.content.prompt', timeUnixNano: 1767225600200000000, attributes: [{ key: 'gen_ai.prompt', value: { stringValue: 'Hi' } }] }],
    links: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7' }, { traceId: 'bad', spanId: 'bad' }],
    status: { code: 2, message: 'boom' },
    droppedAttributesCount: 3,
  };

  it('gives the fields an SDK ReadableSpan has, with times to the nanosecond', () => {
    const { spans, rejected } = convertRequest({
      resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scopeSpans: [{ scope: { name: 'scope', version: '2' }, spans: [span] }] }],
    });
    expect(rejected).toBe(0);
    const [converted] = spans;
    expect(converted.spanContext()).toEqual({ traceId: span.traceId, spanId: span.spanId, traceFlags: 1, isRemote: false });
    expect(converted.parentSpanContext).toEqual({ traceId: span.traceId, spanId: span.parentSpanId, traceFlags: 1, isRemote: true });
    expect(converted).toMatchObject({
      name: 'chat',
      kind: 2,
      startTime: [1767225600, 123456789],
      endTime: [1767225601, 1],
      duration: [0, 876543212],
      status: { code: 2, message: 'boom' },
      resource: { attributes: { 'service.name': 'svc' } },
      instrumentationScope: { name: 'scope', version: '2' },
      droppedAttributesCount: 3,
      events: [{ name: 'gen_ai.content.prompt', time: [1767225600, 200000000], attributes: { 'gen_ai.prompt': 'Hi' } }],
    });
    expect(converted.links).toHaveLength(1);
  });

  it('refuses spans without usable ids or times, counts them, and keeps the others', () => {
    const bad = [{ ...span, traceId: undefined }, { ...span, spanId: '0000000000000000' }, { ...span, parentSpanId: 'abc' }, { ...span, startTimeUnixNano: '-1' }, null];
    const { spans, rejected, firstProblem } = convertRequest({ resourceSpans: [{ scopeSpans: [{ spans: [...bad, span] }] }] });
    expect(spans).toHaveLength(1);
    expect(rejected).toBe(5);
    expect(firstProblem).toMatch(/traceId/);
    expect(convertRequest({ resourceSpans: 'nope' })).toEqual({ spans: [], rejected: 0, firstProblem: undefined });
  });
});
