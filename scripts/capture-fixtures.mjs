// Captures real spans from real instrumentation packages, offline, into test/fixtures/*.json.
//
//   npm run fixtures             every scenario, each in a child process of its own (patching is global)
//   npm run fixtures -- ai-v6    one scenario
//
// Providers are faked on 127.0.0.1 (OpenAI, Anthropic) or mocked by the library itself (AI SDK
// MockLanguageModel*, LangChain fake chat models). The spans are written as plain JSON; the
// tests turn them back into ReadableSpans.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startFakeOpenAI } from '../examples/fake-openai.mjs';

const OUT_DIR = new URL('../test/fixtures/', import.meta.url);
const require = createRequire(import.meta.url);

const SCENARIOS = {
  'ai-v4': () => captureAiSdk('ai-v4', 'v1'),
  'ai-v5': () => captureAiSdk('ai-v5', 'v2'),
  'ai-v6': () => captureAiSdk('ai', 'v3'),
  'openai-traceloop': (provider) => captureOpenAI('traceloop', provider),
  'openai-openinference': (provider) => captureOpenAI('openinference', provider),
  anthropic: (provider) => captureAnthropic(provider, false),
  'anthropic-traceloop': (provider) => captureAnthropic(provider, true),
  'langchain-openinference': captureLangChain,
  'genai-parts': captureGenAiParts,
};

const PACKAGES = {
  'ai-v4': ['ai-v4'],
  'ai-v5': ['ai-v5'],
  'ai-v6': ['ai'],
  'openai-traceloop': ['openai', '@traceloop/instrumentation-openai'],
  'openai-openinference': ['openai', '@arizeai/openinference-instrumentation-openai'],
  anthropic: ['@anthropic-ai/sdk'],
  'anthropic-traceloop': ['anthropic-sdk-v0', '@traceloop/instrumentation-anthropic'],
  'langchain-openinference': ['@langchain/core', '@arizeai/openinference-instrumentation-langchain'],
  'genai-parts': ['@opentelemetry/sdk-trace-base'],
};

async function main(names) {
  if (names.length !== 1) {
    for (const name of names.length === 0 ? Object.keys(SCENARIOS) : names) {
      execFileSync(process.execPath, [new URL(import.meta.url).pathname, name], { stdio: 'inherit' });
    }
    return;
  }
  for (const name of names) {
    // One scenario a process: instrumentations patch modules and the global provider for good.
    if (!SCENARIOS[name]) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(', ')}`);
    const { provider, exporter } = setUp();
    await SCENARIOS[name](provider);
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans().map(toJson);
    mkdirSync(OUT_DIR, { recursive: true });
    const fixture = { scenario: name, packages: versions(PACKAGES[name]), spans };
    writeFileSync(new URL(`${name}.json`, OUT_DIR), `${JSON.stringify(fixture, null, 2)}\n`);
    console.log(`${name}: ${spans.length} spans`);
    await provider.shutdown();
  }
}

function setUp() {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'fixture-app' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  trace.setGlobalTracerProvider(provider);
  return { provider, exporter };
}

function toJson(span) {
  return {
    name: span.name,
    kind: span.kind,
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes: span.attributes,
    events: span.events.map((event) => ({ name: event.name, time: event.time, attributes: event.attributes })),
    resource: span.resource.attributes,
    scope: { name: span.instrumentationScope.name, version: span.instrumentationScope.version },
  };
}

function versions(names) {
  const version = (name) => JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
  return Object.fromEntries(names.map((name) => [name, version(name)]));
}

// ---------------------------------------------------------------- Vercel AI SDK v4, v5, v6

async function captureAiSdk(pkg, spec) {
  const ai = await import(pkg);
  const { z } = await import('zod');
  const mocks = await import(`${pkg}/test`);
  const model = aiModels[spec](mocks, ai);
  const telemetry = (functionId) => ({
    isEnabled: true,
    functionId,
    metadata: { sessionId: 'session-42', userId: 'user-7' },
  });
  const weather = ai.tool({
    description: 'Current weather in a city',
    [spec === 'v1' ? 'parameters' : 'inputSchema']: z.object({ city: z.string() }),
    execute: async ({ city }) => ({ city, temperature_c: 21 }),
  });
  const steps = spec === 'v1' ? { maxSteps: 3 } : { stopWhen: ai.stepCountIs(3) };
  await ai.generateText({
    model: model.toolThenText(),
    system: 'You are a weather assistant.',
    prompt: 'What is the weather in Paris?',
    tools: { weather },
    temperature: 0.3,
    maxTokens: 200,
    maxOutputTokens: 200,
    ...steps,
    experimental_telemetry: telemetry('weather-agent'),
  });
  const stream = ai.streamText({
    model: model.stream(),
    prompt: 'Say hello',
    experimental_telemetry: telemetry('greeter'),
  });
  for await (const part of stream.textStream) void part;
  try {
    await ai.generateText({
      model: model.failing(),
      prompt: 'This call fails',
      maxRetries: 0,
      experimental_telemetry: telemetry('failing'),
    });
  } catch {
    // The failure is what the fixture records.
  }
}

/**
 * Mock models for one LanguageModel version: a call that asks for the weather tool then answers,
 * a streamed greeting, and a call that fails. Only the shapes of results differ between versions.
 */
function mockModels(Mock, simulateReadableStream, spec) {
  const base = { provider: spec.provider, modelId: spec.modelId };
  const response = (n) => ({ id: `resp-${n}`, modelId: spec.responseModel, timestamp: new Date(0) });
  return {
    toolThenText: () => {
      let call = 0;
      return new Mock({
        ...base,
        doGenerate: async () =>
          call++ === 0
            ? { ...spec.toolCall, ...spec.extra, response: response(1) }
            : { ...spec.answer, ...spec.extra, response: response(2) },
      });
    },
    stream: () =>
      new Mock({
        ...base,
        doStream: async () => ({ ...spec.streamExtra, stream: simulateReadableStream({ chunks: spec.chunks }) }),
      }),
    failing: () =>
      new Mock({
        ...base,
        doGenerate: async () => {
          throw new Error(`Rate limit reached for ${spec.modelId}`);
        },
      }),
  };
}

const ANSWER = 'It is 21 \u00b0C in Paris.';
const textChunks = (finish) => [
  { type: 'text-start', id: 't1' },
  { type: 'text-delta', id: 't1', delta: 'Hello' },
  { type: 'text-delta', id: 't1', delta: ' there!' },
  { type: 'text-end', id: 't1' },
  finish,
];
const v2Usage = (input, output) => ({ inputTokens: input, outputTokens: output, totalTokens: input + output });
const v3Usage = (input, output) => ({
  inputTokens: { total: input, noCache: input - 10, cacheRead: 10, cacheWrite: 0 },
  outputTokens: { total: output, text: output - 2, reasoning: 2 },
});
const v2ToolCall = { type: 'tool-call', toolCallId: 'call-1', toolName: 'weather', input: '{"city":"Paris"}' };
const rawCall = { rawCall: { rawPrompt: null, rawSettings: {} } };

const aiModels = {
  v1: ({ MockLanguageModelV1 }, { simulateReadableStream }) =>
    mockModels(MockLanguageModelV1, simulateReadableStream, {
      provider: 'openai.chat',
      modelId: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2024-07-18',
      extra: rawCall,
      streamExtra: rawCall,
      toolCall: {
        finishReason: 'tool-calls',
        usage: { promptTokens: 30, completionTokens: 12 },
        toolCalls: [{ toolCallType: 'function', toolCallId: 'call-1', toolName: 'weather', args: '{"city":"Paris"}' }],
      },
      answer: { finishReason: 'stop', usage: { promptTokens: 50, completionTokens: 9 }, text: ANSWER },
      chunks: [
        { type: 'text-delta', textDelta: 'Hello' },
        { type: 'text-delta', textDelta: ' there!' },
        { type: 'finish', finishReason: 'stop', usage: { promptTokens: 5, completionTokens: 3 } },
      ],
    }),
  v2: ({ MockLanguageModelV2 }, { simulateReadableStream }) =>
    mockModels(MockLanguageModelV2, simulateReadableStream, {
      provider: 'openai.responses',
      modelId: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2024-07-18',
      extra: { warnings: [] },
      toolCall: { finishReason: 'tool-calls', usage: v2Usage(30, 12), content: [v2ToolCall] },
      answer: { finishReason: 'stop', usage: v2Usage(50, 9), content: [{ type: 'text', text: ANSWER }] },
      chunks: textChunks({ type: 'finish', finishReason: 'stop', usage: v2Usage(5, 3) }),
    }),
  v3: ({ MockLanguageModelV3 }, { simulateReadableStream }) =>
    mockModels(MockLanguageModelV3, simulateReadableStream, {
      provider: 'anthropic.messages',
      modelId: 'claude-sonnet-4-6',
      responseModel: 'claude-sonnet-4-6-20250929',
      extra: { warnings: [] },
      toolCall: { finishReason: { unified: 'tool-calls', raw: 'tool_use' }, usage: v3Usage(30, 12), content: [v2ToolCall] },
      answer: {
        finishReason: { unified: 'stop', raw: 'end_turn' },
        usage: v3Usage(50, 9),
        content: [{ type: 'text', text: ANSWER }],
      },
      chunks: textChunks({ type: 'finish', finishReason: { unified: 'stop', raw: 'end_turn' }, usage: v3Usage(15, 5) }),
    }),
};

// ---------------------------------------------------------------- OpenAI with Traceloop or OpenInference

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

async function captureOpenAI(flavour, provider) {
  const { default: OpenAI } = await import('openai');
  const instrumentation =
    flavour === 'traceloop'
      ? new (await import('@traceloop/instrumentation-openai')).OpenAIInstrumentation({ traceContent: true })
      : new (await import('@arizeai/openinference-instrumentation-openai')).OpenAIInstrumentation();
  instrumentation.setTracerProvider(provider);
  instrumentation.manuallyInstrument(OpenAI);
  const fake = await startFakeOpenAI();
  const openai = new OpenAI({ baseURL: fake.url, apiKey: 'fake', maxRetries: 0 });
  const tracer = provider.getTracer('fixture-app');
  try {
    await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      temperature: 0.2,
      max_tokens: 100,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello!' },
      ],
    });
    await tracer.startActiveSpan('weather-agent', async (agent) => {
      const messages = [{ role: 'user', content: 'What is the weather in Paris?' }];
      const first = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: [WEATHER_TOOL] });
      const call = first.choices[0].message.tool_calls[0];
      messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: '{"temperature_c":21}' });
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages, tools: [WEATHER_TOOL] });
      agent.end();
    });
    const stream = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Stream a greeting' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) void chunk;
  } finally {
    await fake.close();
  }
}

// ---------------------------------------------------------------- Anthropic SDK built-in tracing

/**
 * With `traceloop`, OpenLLMetry's instrumentation records each call too: two nested spans per call.
 * OpenLLMetry 0.27 patches `Anthropic.Completions`, which the SDK 1.x no longer has: that pair is
 * captured with the SDK 0.137.
 */
async function captureAnthropic(provider, traceloop) {
  const sdk = await import(traceloop ? 'anthropic-sdk-v0' : '@anthropic-ai/sdk');
  const Anthropic = sdk.default;
  if (traceloop) {
    const { AnthropicInstrumentation } = await import('@traceloop/instrumentation-anthropic');
    const instrumentation = new AnthropicInstrumentation({ traceContent: true });
    instrumentation.setTracerProvider(provider);
    instrumentation.manuallyInstrument(sdk);
  }
  const fake = await startFakeAnthropic();
  const anthropic = new Anthropic({
    baseURL: fake.url,
    apiKey: 'fake',
    maxRetries: 0,
    logLevel: 'off',
    openTelemetry: { tracerProvider: provider, traces: { contentMode: 'content' } },
  });
  try {
    await anthropic.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 256,
      system: 'You are a weather assistant.',
      tools: [
        {
          name: 'get_weather',
          description: 'Current weather in a city',
          input_schema: { type: 'object', properties: { city: { type: 'string' } } },
        },
      ],
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
    });
    await anthropic.messages.create({
      model: 'claude-sonnet-4-6',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Say hello' }],
    });
  } finally {
    await fake.close();
  }
}

async function startFakeAnthropic() {
  let calls = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const request = JSON.parse(body);
      const toolUse = calls++ === 0 && request.tools?.length;
      const message = {
        id: `msg_fake_${calls}`,
        type: 'message',
        role: 'assistant',
        model: `${request.model}-20250929`,
        content: toolUse
          ? [
              { type: 'text', text: 'Let me check.' },
              { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
            ]
          : [{ type: 'text', text: 'Hello from Claude!' }],
        stop_reason: toolUse ? 'tool_use' : 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 11, output_tokens: 7, cache_creation_input_tokens: 2, cache_read_input_tokens: 1 },
      };
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': `req_${calls}` });
      res.end(JSON.stringify(message));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// ---------------------------------------------------------------- LangChain with OpenInference

async function captureLangChain(provider) {
  const { LangChainInstrumentation } = await import('@arizeai/openinference-instrumentation-langchain');
  const instrumentation = new LangChainInstrumentation();
  instrumentation.setTracerProvider(provider);
  instrumentation.manuallyInstrument(require('@langchain/core/callbacks/manager'));
  const { FakeListChatModel } = require('@langchain/core/utils/testing');
  const { ChatPromptTemplate } = require('@langchain/core/prompts');
  const { tool } = require('@langchain/core/tools');
  const { z } = require('zod');
  const prompt = ChatPromptTemplate.fromMessages([
    ['system', 'You are a {role}.'],
    ['human', '{question}'],
  ]);
  const model = new FakeListChatModel({ responses: ['Paris is sunny today.'] });
  const chain = prompt.pipe(model);
  await chain.invoke({ role: 'weather assistant', question: 'Weather in Paris?' }, { metadata: { session_id: 'lc-session-1' } });
  const lookup = tool(async ({ city }) => `21 °C in ${city}`, {
    name: 'lookup_weather',
    description: 'Looks up the weather',
    schema: z.object({ city: z.string() }),
  });
  await lookup.invoke({ city: 'Paris' });
}

// ---------------------------------------------------------------- OTel GenAI, newest parts form, by hand

async function captureGenAiParts(provider) {
  const tracer = provider.getTracer('fixture-app', '1.0.0');
  await tracer.startActiveSpan(
    'invoke_agent travel-agent',
    {
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'travel-agent',
        'gen_ai.agent.id': 'agent-7',
        'gen_ai.provider.name': 'aws.bedrock',
        'gen_ai.request.model': 'anthropic.claude-3-5-sonnet',
        'gen_ai.conversation.id': 'conv-123',
      },
    },
    async (agent) => {
      tracer
        .startSpan('chat anthropic.claude-3-5-sonnet', {
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': 'aws.bedrock',
            'gen_ai.request.model': 'anthropic.claude-3-5-sonnet',
            'gen_ai.response.model': 'anthropic.claude-3-5-sonnet-20240620-v1:0',
            'gen_ai.request.temperature': 0.5,
            'gen_ai.request.max_tokens': 512,
            'gen_ai.request.top_p': 0.9,
            'gen_ai.request.top_k': 40,
            'gen_ai.request.stop_sequences': ['END'],
            'gen_ai.request.seed': 7,
            'gen_ai.conversation.id': 'conv-123',
            'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'You plan trips.' }]),
            'gen_ai.input.messages': JSON.stringify([
              {
                role: 'user',
                parts: [
                  { type: 'text', content: 'Plan a day in Paris. Here is a photo.' },
                  { type: 'uri', modality: 'image', uri: 'https://example.com/paris.jpg' },
                  { type: 'blob', modality: 'image', mime_type: 'image/png', content: 'iVBORw0KGgo=' },
                ],
              },
              {
                role: 'assistant',
                parts: [
                  { type: 'reasoning', content: 'I should check the weather.' },
                  { type: 'tool_call', id: 'call_9', name: 'get_weather', arguments: { city: 'Paris' } },
                ],
              },
              { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_9', response: { temperature_c: 21 } }] },
            ]),
            'gen_ai.output.messages': JSON.stringify([
              {
                role: 'assistant',
                parts: [{ type: 'text', content: 'Morning: Louvre. Afternoon: a walk by the Seine.' }],
                finish_reason: 'stop',
              },
            ]),
            'gen_ai.tool.definitions': JSON.stringify([
              { type: 'function', name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object' } },
            ]),
            'gen_ai.usage.input_tokens': 120,
            'gen_ai.usage.output_tokens': 40,
            'gen_ai.usage.cache_read.input_tokens': 100,
            'gen_ai.usage.reasoning.output_tokens': 8,
            'gen_ai.response.finish_reasons': ['stop'],
            'gen_ai.response.id': 'msg_bdrk_1',
          },
        })
        .end();
      tracer
        .startSpan('execute_tool get_weather', {
          attributes: {
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': 'get_weather',
            'gen_ai.tool.description': 'Weather in a city',
            'gen_ai.tool.call.id': 'call_9',
            'gen_ai.tool.type': 'function',
            'gen_ai.tool.call.arguments': JSON.stringify({ city: 'Paris' }),
            'gen_ai.tool.call.result': JSON.stringify({ temperature_c: 21 }),
          },
        })
        .end();
      agent.end();
    },
  );
}

await main(process.argv.slice(2));
