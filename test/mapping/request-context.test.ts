import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { pathResolver } from '../../src/mapping/file-path.js';
import { mapSpan } from '../../src/mapping/map-span.js';
import { loadFixture } from '../helpers/fixtures.js';
import { CHAT_ATTRIBUTES, chatSpans, MAPPER_OPTIONS, recordSpans, startSpan } from '../helpers/spans.js';

/**
 * The request context as span attributes (`humanloop.*`: what withHumanloop, the baggage option
 * or an app in another language writes) is read first by the mapping, whatever the convention
 * that wrote the rest of the span: on every log of every captured fixture it is the log's user,
 * session, environment and metadata, over the convention's own.
 */

const CONTEXT: Attributes = {
  'humanloop.user_id': 'context-user',
  'humanloop.session_id': 'context-session',
  'humanloop.environment': 'context-env',
  'humanloop.path': 'context/folder',
  'humanloop.metadata.tenant': 'acme',
  'humanloop.metadata.seats': 3,
};

const FIXTURES = [
  'ai-v4',
  'ai-v5',
  'ai-v6',
  'ai-v6-embed',
  'ai-v7',
  'anthropic',
  'anthropic-traceloop',
  'genai-agents',
  'genai-parts',
  'langchain-openai',
  'langchain-openinference',
  'openai-openinference',
  'openai-traceloop',
  'traceloop-entities',
];

function withContext(span: ReadableSpan, attributes: Attributes = CONTEXT): ReadableSpan {
  return { ...span, attributes: { ...span.attributes, ...attributes } };
}

describe.each(FIXTURES)('the request context on the spans of %s', (scenario) => {
  it('is the user, session, environment and metadata of every log, over the convention’s own', () => {
    const fixture = loadFixture(scenario);
    let logged = 0;
    for (const span of fixture.spans) {
      const mapping = mapSpan(withContext(span), { ...MAPPER_OPTIONS, environment: 'option-env' });
      if (!mapping.log) continue;
      logged++;
      expect(mapping.conversationId, span.name).toBe('context-session');
      expect(mapping.log.environment, span.name).toBe('context-env');
      expect(mapping.log.metadata, span.name).toMatchObject({ user_id: 'context-user', session_id: 'context-session', tenant: 'acme', seats: 3 });
    }
    expect(logged, 'spans that became logs').toBeGreaterThan(0);
  });
});

describe('the request context in the mapping', () => {
  it('leaves a log without it as it was: the convention’s user and session, the environment option', () => {
    const [span] = chatSpans(1, { ...CHAT_ATTRIBUTES, 'user.id': 'span-user', 'gen_ai.conversation.id': 'conversation-1' });
    const mapping = mapSpan(span, { ...MAPPER_OPTIONS, environment: 'option-env' });
    expect(mapping.log?.metadata).toMatchObject({ user_id: 'span-user', conversation_id: 'conversation-1' });
    expect(mapping.log?.metadata).not.toHaveProperty('session_id');
    expect(mapping.log?.environment).toBe('option-env');
    expect(mapping.log && 'conversationId' in mapping ? mapping.conversationId : undefined).toBe('conversation-1');
  });

  it('writes its metadata under the package’s own keys: a context key named like one does not replace it', () => {
    const [span] = chatSpans(1, { ...CHAT_ATTRIBUTES, 'humanloop.metadata.finish_reason': 'mine', 'humanloop.metadata.otel': 'mine' });
    const { log } = mapSpan(span, MAPPER_OPTIONS);
    expect(log?.metadata?.finish_reason).toBe('stop');
    expect(log?.metadata?.otel).toMatchObject({ span_id: span.spanContext().spanId });
  });
});

describe('the request context’s folder (v5 paths)', () => {
  const custom = () => 'custom/place';

  it('takes the project’s place in the path, over the path option, one safe segment at a time', () => {
    const resolve = pathResolver(custom);
    const path = (attributes: Attributes) => {
      const [span] = chatSpans(1, { ...CHAT_ATTRIBUTES, ...attributes });
      return resolve(mapSpan(span, { ...MAPPER_OPTIONS, project: 'bot' }).log!, span);
    };
    expect(path({ 'humanloop.path': 'support/answers' })).toBe('support/answers/gpt-4o');
    expect(path({ 'humanloop.path': '/team a//../b:c/' })).toBe('team a/unnamed/b-c/gpt-4o');
    expect(path({ 'humanloop.path': ' / ' })).toBe('custom/place');
    expect(path({})).toBe('custom/place');
  });
});

describe('metadata past its bound', () => {
  it('keeps the package’s own keys (otel, user_id, session_id) when the request’s metadata fills it', () => {
    const many = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`humanloop.metadata.k${i}`, i]));
    const [span] = chatSpans(1, { ...CHAT_ATTRIBUTES, ...many, 'humanloop.user_id': 'u', 'humanloop.session_id': 's' });
    const metadata = mapSpan(span, MAPPER_OPTIONS).log?.metadata ?? {};
    expect(metadata.otel).toMatchObject({ span_id: span.spanContext().spanId });
    expect(metadata).toMatchObject({ user_id: 'u', session_id: 's', finish_reason: 'stop' });
    expect(Object.keys(metadata)).toHaveLength(64);
  });

  // Keys that look like array indexes enumerate before every other key in JavaScript.
  it('keeps the package’s own keys when the request’s metadata fills it with keys that look like numbers', () => {
    const many = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`humanloop.metadata.${i}`, i]));
    const [span] = chatSpans(1, { ...CHAT_ATTRIBUTES, ...many, 'humanloop.user_id': 'u', 'humanloop.session_id': 's' });
    const metadata = mapSpan(span, MAPPER_OPTIONS).log?.metadata ?? {};
    expect(metadata.otel).toMatchObject({ span_id: span.spanContext().spanId });
    expect(metadata).toMatchObject({ user_id: 'u', session_id: 's', finish_reason: 'stop', 0: 0 });
    expect(Object.keys(metadata)).toHaveLength(64);
  });

  it('cuts the package’s own text at 4 096 characters (a long span name in otel)', () => {
    const rec = recordSpans();
    startSpan(rec.tracer, 'n'.repeat(5_000), CHAT_ATTRIBUTES).end();
    const [span] = rec.spans();
    const otel = mapSpan(span, MAPPER_OPTIONS).log?.metadata?.otel as Record<string, unknown>;
    expect(otel.span_name).toBe(`${'n'.repeat(4_096)}…`);
    expect(otel).toMatchObject({ span_id: span.spanContext().spanId, trace_id: span.spanContext().traceId });
  });

  it('cuts the request’s long text and lists, and leaves out what JSON cannot hold', () => {
    const [span] = chatSpans(1, {
      ...CHAT_ATTRIBUTES,
      'humanloop.metadata.note': 'x'.repeat(5_000),
      'humanloop.metadata.scores': Array.from({ length: 70 }, (_, i) => i),
      'humanloop.metadata.ratio': Number.NaN,
      'humanloop.metadata.__proto__': 'kept as a key',
      'humanloop.metadata.otel': 'the package’s own key wins',
    });
    const metadata = mapSpan(span, MAPPER_OPTIONS).log?.metadata ?? {};
    expect(metadata.note).toBe(`${'x'.repeat(4_096)}…`);
    expect(metadata.scores).toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect(Object.hasOwn(metadata, 'ratio')).toBe(false);
    expect(Object.getOwnPropertyDescriptor(metadata, '__proto__')?.value).toBe('kept as a key');
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(metadata.otel).toMatchObject({ span_id: span.spanContext().spanId });
  });
});
