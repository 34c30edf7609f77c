import { describe, expect, it } from 'vitest';
import { startOtlpGateway } from '../../src/gateway/index.js';
import type { StoredLog } from '../../src/testing/index.js';
import { API_KEY } from '../../../../test/helpers/harness.js';
import { bySpanName } from '../../../../test/helpers/logs.js';
import { testScope } from '../../../../test/helpers/scope.js';
import { until } from '../../../../test/helpers/until.js';

/**
 * Attribute names that are special to JavaScript objects (`__proto__` replaces an object's
 * prototype when assigned) arrive from senders in any language. They must stay ordinary names
 * from the OTLP request to the stored log: kept as given, and adding no keys of their own.
 */

const scope = testScope();
const TRACE = '7c1f0b6d2a9e4f3c8b5a6d7e8f901234';
const NAMES = ['__proto__', 'constructor', 'prototype'];

const string = (value: string) => ({ stringValue: value });
const array = (...values: string[]) => ({ arrayValue: { values: values.map(string) } });
const kvlist = (entries: Array<[string, unknown]>) => ({ kvlistValue: { values: entries.map(([key, value]) => ({ key, value })) } });

function span(spanId: string, name: string, attributes: Record<string, unknown>): Record<string, unknown> {
  return {
    traceId: TRACE,
    spanId,
    name,
    kind: 3,
    startTimeUnixNano: '1767225600000000000',
    endTimeUnixNano: '1767225601000000000',
    attributes: Object.entries(attributes).map(([key, value]) => ({ key, value })),
  };
}

/** The same three names, each with a value of another OTLP type: an array, a string, a key-value list. */
function specialValues(prefix: string): Record<string, unknown> {
  return {
    [`${prefix}__proto__`]: array('a', 'b'),
    [`${prefix}constructor`]: string('c'),
    [`${prefix}prototype`]: kvlist([['k', string('v')]]),
  };
}

const SPANS = [
  span('a000000000000001', 'ai.generateText.doGenerate', {
    'ai.operationId': string('ai.generateText.doGenerate'),
    'ai.model.id': string('gpt-4o'),
    'ai.model.provider': string('openai.chat'),
    ...specialValues('ai.telemetry.metadata.'),
    // The same names bare: they name no metadata, and must not disturb the rest.
    ...specialValues(''),
  }),
  span('a000000000000002', 'workflow', {
    'traceloop.span.kind': string('workflow'),
    'traceloop.entity.name': string('pipeline'),
    ...specialValues('traceloop.association.properties.'),
  }),
  span('a000000000000003', 'ChatOpenAI', {
    'openinference.span.kind': string('LLM'),
    'llm.model_name': string('gpt-4o'),
    'llm.provider': string('constructor'),
    'llm.invocation_parameters': string('{"temperature":0.5,"constructor":3,"__proto__":[1]}'),
    metadata: kvlist([
      ['__proto__', array('a', 'b')],
      ['constructor', string('c')],
      ['prototype', kvlist([['k', string('v')]])],
    ]),
  }),
];

function ownEntries(value: unknown): Array<[string, unknown]> {
  const entries: Array<[string, unknown]> = [];
  for (const key in value as object) entries.push([key, Object.getOwnPropertyDescriptor(value, key)?.value]);
  return entries;
}

describe('attribute names special to JavaScript objects, through the gateway to the log server', () => {
  it('are stored as ordinary metadata keys, with their values, and add no phantom keys', async () => {
    const server = await scope.server();
    const gateway = await startOtlpGateway({ port: 0, batchDelayMillis: 0, exporter: { apiKey: API_KEY, baseUrl: server.url } });
    scope.defer(() => gateway.close());
    const body = { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'sender' }, spans: SPANS }] }] };
    const response = await fetch(`${gateway.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
    expect(response.status).toBe(200);
    await until(() => server.logs().length === SPANS.length, 'the logs');
    const logs = bySpanName(server.logs());

    const user = (log: StoredLog | undefined) => ownEntries(log?.metadata).filter(([key]) => NAMES.includes(key));
    const expected = [
      ['__proto__', ['a', 'b']],
      ['constructor', 'c'],
      ['prototype', '{"k":"v"}'],
    ];
    expect(user(logs.get('ai.generateText.doGenerate'))).toEqual(expected);
    expect(user(logs.get('workflow'))).toEqual(expected);
    expect(user(logs.get('ChatOpenAI'))).toEqual([
      ['__proto__', ['a', 'b']],
      ['constructor', 'c'],
      ['prototype', { k: 'v' }],
    ]);

    for (const log of logs.values()) {
      expect(Object.getPrototypeOf(log.metadata)).toBe(Object.prototype);
      expect(ownEntries(log.metadata).map(([key]) => key)).toEqual(Object.keys(log.metadata!));
      expect(Object.keys(log.metadata!).filter((key) => /^\d+$/.test(key)), 'index keys from an array prototype').toEqual([]);
    }
    // An invocation parameter or a provider named like an Object member is an ordinary one too.
    const config = logs.get('ChatOpenAI')?.config as unknown as Record<string, unknown>;
    expect(config).toMatchObject({ type: 'model', model: 'gpt-4o', temperature: 0.5 });
    expect(Object.keys(config).sort()).toEqual(['endpoint', 'model', 'other', 'temperature', 'type']);
    expect(ownEntries(config.other)).toEqual([
      ['constructor', 3],
      ['__proto__', [1]],
      ['provider', 'constructor'],
    ]);
  });
});
