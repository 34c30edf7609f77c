import { SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { mapSpan } from '../../src/mapping/map-span.js';
import { CHAT_ATTRIBUTES, MAPPER_OPTIONS, recordSpans, startSpan } from '../helpers/spans.js';

function mapOne(build: (rec: ReturnType<typeof recordSpans>) => void, options = MAPPER_OPTIONS) {
  const rec = recordSpans('support-bot');
  build(rec);
  const [span] = rec.spans();
  return { span: span, mapping: mapSpan(span, options) };
}

describe('OTel GenAI chat spans', () => {
  it('become a model-config log with messages, output, tokens and timing', () => {
    const { span, mapping } = mapOne(({ tracer }) => startSpan(tracer, 'chat gpt-4o', CHAT_ATTRIBUTES).end());
    const { spanId, traceId } = span.spanContext();
    expect(mapping.log).toEqual({
      project: 'support-bot',
      source: 'support-bot',
      reference_id: spanId,
      config: {
        type: 'model',
        model: 'gpt-4o',
        provider: 'openai',
        endpoint: 'chat',
        temperature: 0.2,
        max_tokens: 256,
      },
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi there' },
      ],
      output: 'Hello!',
      output_message: { role: 'assistant', content: 'Hello!' },
      prompt_tokens: 12,
      output_tokens: 5,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
      duration: expect.any(Number),
      metadata: {
        finish_reason: 'stop',
        response_id: 'chatcmpl-1',
        response_model: 'gpt-4o-2024-08-06',
        otel: { trace_id: traceId, span_id: spanId, span_name: 'chat gpt-4o', scope: { name: 'test-scope', version: '1.2.3' } },
      },
    });
  });

  it('measures duration in seconds at full precision', () => {
    const { mapping } = mapOne(({ tracer }) => {
      const chat = tracer.startSpan('chat', { attributes: CHAT_ATTRIBUTES, startTime: [1_700_000_000, 100] });
      chat.end([1_700_000_002, 500_000_350]);
    });
    expect(mapping.log?.duration).toBe(2.50000025);
    expect(mapping.log?.created_at).toBe('2023-11-14T22:13:20.000000Z');
  });

  it('gives duration 0 and says so when a span ends before it starts', () => {
    const { span } = mapOne(({ tracer }) => startSpan(tracer, 'chat', CHAT_ATTRIBUTES).end());
    // The SDK clamps such spans itself; other ReadableSpan producers may not.
    const odd = Object.create(span, { endTime: { value: [span.startTime[0] - 10, 0] } }) as typeof span;
    const mapping = mapSpan(odd, MAPPER_OPTIONS);
    expect(mapping.log?.duration).toBe(0);
    expect(mapping.log?.metadata?.timing).toMatch(/before it started/);
  });

  it('takes the error from the status, else from an exception event', () => {
    const withStatus = mapOne(({ tracer }) => {
      const chat = startSpan(tracer, 'chat', CHAT_ATTRIBUTES);
      chat.recordException(new Error('socket hang up'));
      chat.setStatus({ code: SpanStatusCode.ERROR, message: '429 Rate limit reached' });
      chat.end();
    });
    expect(withStatus.mapping.log?.error).toBe('429 Rate limit reached');
    const withEvent = mapOne(({ tracer }) => {
      const chat = startSpan(tracer, 'chat', CHAT_ATTRIBUTES);
      chat.recordException(new Error('socket hang up'));
      chat.end();
    });
    expect(withEvent.mapping.log?.error).toBe('socket hang up');
  });

  it('maps tool calls and tool results in the parts form', () => {
    const { mapping } = mapOne(({ tracer }) => {
      startSpan(tracer, 'chat', {
        ...CHAT_ATTRIBUTES,
        'gen_ai.input.messages': JSON.stringify([
          { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
          {
            role: 'assistant',
            parts: [{ type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }],
          },
          { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: { temp: 21 } }] },
        ]),
        'gen_ai.tool.definitions': JSON.stringify([
          { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object' } } },
        ]),
      }).end();
    });
    expect(mapping.log?.messages?.slice(2)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
    ]);
    expect(mapping.log?.config).toMatchObject({
      tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object' } }],
    });
  });

  it('keeps a provider the API does not know in config.other', () => {
    const { mapping } = mapOne(({ tracer }) => {
      startSpan(tracer, 'chat', { ...CHAT_ATTRIBUTES, 'gen_ai.provider.name': 'mistral_ai' }).end();
    });
    expect(mapping.log?.config).toMatchObject({ type: 'model', other: { provider: 'mistral_ai' } });
    expect(mapping.log?.config).not.toHaveProperty('provider');
  });

  it('normalizes provider spellings to the API enum', () => {
    for (const [raw, expected] of [
      ['openai.chat', 'openai'],
      ['azure.ai.openai', 'openai_azure'],
      ['aws.bedrock', 'bedrock'],
      ['gcp.vertex_ai', 'google'],
      ['anthropic', 'anthropic'],
    ]) {
      const { mapping } = mapOne(({ tracer }) => {
        startSpan(tracer, 'chat', { ...CHAT_ATTRIBUTES, 'gen_ai.provider.name': raw }).end();
      });
      expect(mapping.log?.config).toMatchObject({ provider: expected });
    }
  });

  it('keeps input messages that are not JSON as the text of a user message', () => {
    const { mapping } = mapOne(({ tracer }) => {
      startSpan(tracer, 'chat', { ...CHAT_ATTRIBUTES, 'gen_ai.input.messages': '[{"role": "user", "parts": [' }).end();
    });
    expect(mapping.log?.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: '[{"role": "user", "parts": [' },
    ]);
  });

  it('keeps output messages that are not JSON as the assistant’s text', () => {
    const { mapping } = mapOne(({ tracer }) => {
      startSpan(tracer, 'chat', { ...CHAT_ATTRIBUTES, 'gen_ai.output.messages': 'Hello, cut short' }).end();
    });
    expect(mapping.log).toMatchObject({ output: 'Hello, cut short', output_message: { role: 'assistant', content: 'Hello, cut short' } });
  });

  it('writes a status message that is a number as text, so the log is not refused', () => {
    // The SDK's own spans drop such a message; spans from elsewhere (a bridge, an OTLP decoder) may not.
    const rec = recordSpans();
    startSpan(rec.tracer, 'chat', CHAT_ATTRIBUTES).end();
    const [recorded] = rec.spans();
    const status = { code: SpanStatusCode.ERROR, message: 404 as unknown as string };
    const span = new Proxy(recorded, { get: (target, key): unknown => (key === 'status' ? status : Reflect.get(target, key)) });
    expect(mapSpan(span, MAPPER_OPTIONS).log?.error).toBe('404');
  });

  it('leaves content out when captureContent is false', () => {
    const { mapping } = mapOne(
      ({ tracer }) => startSpan(tracer, 'chat', CHAT_ATTRIBUTES).end(),
      { ...MAPPER_OPTIONS, captureContent: false },
    );
    expect(mapping.log).not.toHaveProperty('messages');
    expect(mapping.log).not.toHaveProperty('output');
    expect(mapping.log).not.toHaveProperty('output_message');
    expect(mapping.log?.prompt_tokens).toBe(12);
  });
});

describe('spans that are not LLM calls', () => {
  it('are skipped as not_llm', () => {
    const { mapping } = mapOne(({ tracer }) => startSpan(tracer, 'GET /health', { 'http.method': 'GET' }).end());
    expect(mapping).toEqual({ log: undefined, reason: 'not_llm' });
  });

  it('follow spanFilter when one is given', () => {
    const { mapping } = mapOne(
      ({ tracer }) => startSpan(tracer, 'chat', CHAT_ATTRIBUTES).end(),
      { ...MAPPER_OPTIONS, spanFilter: () => false },
    );
    expect(mapping).toEqual({ log: undefined, reason: 'filtered' });
  });
});

describe('redact', () => {
  it('can change a log or drop it, and a throw drops it', () => {
    const changed = mapOne(({ tracer }) => startSpan(tracer, 'chat', CHAT_ATTRIBUTES).end(), {
      ...MAPPER_OPTIONS,
      redact: (log) => ({ ...log, output: '[redacted]' }),
    });
    expect(changed.mapping.log?.output).toBe('[redacted]');
    const dropped = mapOne(({ tracer }) => startSpan(tracer, 'chat', CHAT_ATTRIBUTES).end(), {
      ...MAPPER_OPTIONS,
      redact: () => null,
    });
    expect(dropped.mapping).toEqual({ log: undefined, reason: 'redacted' });
    const threw = mapOne(({ tracer }) => startSpan(tracer, 'chat', CHAT_ATTRIBUTES).end(), {
      ...MAPPER_OPTIONS,
      redact: () => {
        throw new Error('boom');
      },
    });
    expect(threw.mapping).toEqual({ log: undefined, reason: 'redacted' });
  });
});
