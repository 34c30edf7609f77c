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
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { context, SpanKind, trace } from '@opentelemetry/api';
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
  'ai-v6-embed': captureAiSdkEmbed,
  'ai-v7': captureAiSdk7,
  'openai-traceloop': (provider) => captureOpenAI('traceloop', provider),
  'openai-openinference': (provider) => captureOpenAI('openinference', provider),
  anthropic: (provider) => captureAnthropic(provider, false),
  'anthropic-traceloop': (provider) => captureAnthropic(provider, true),
  'langchain-openinference': captureLangChain,
  'langchain-openai': captureLangChainOpenAI,
  'traceloop-entities': captureTraceloopEntities,
  'genai-parts': captureGenAiParts,
  'genai-agents': captureGenAiAgents,
};

const PACKAGES = {
  'ai-v4': ['ai-v4'],
  'ai-v5': ['ai-v5'],
  'ai-v6': ['ai'],
  'ai-v6-embed': ['ai'],
  'ai-v7': ['ai-v7', '@ai-sdk/otel'],
  'openai-traceloop': ['openai', '@traceloop/instrumentation-openai'],
  'openai-openinference': ['openai', '@arizeai/openinference-instrumentation-openai'],
  anthropic: ['@anthropic-ai/sdk'],
  'anthropic-traceloop': ['anthropic-sdk-v0', '@traceloop/instrumentation-anthropic'],
  'langchain-openinference': ['@langchain/core', '@arizeai/openinference-instrumentation-langchain'],
  'langchain-openai': ['@langchain/core', '@langchain/openai', '@arizeai/openinference-instrumentation-langchain'],
  'traceloop-entities': ['@traceloop/node-server-sdk', 'openai'],
  'genai-parts': ['@opentelemetry/sdk-trace-base'],
  'genai-agents': ['@opentelemetry/sdk-trace-base'],
};

/** Scenarios whose packages need a newer Node than 20: they run on the binary from .ci/node-versions. */
const NODE_MAJOR = { 'ai-v7': 22 };

async function main(names) {
  if (names.length !== 1 || nodeFor(names[0]) !== process.execPath) {
    for (const name of names.length === 0 ? Object.keys(SCENARIOS) : names) {
      execFileSync(nodeFor(name), [new URL(import.meta.url).pathname, name], { stdio: 'inherit' });
    }
    return;
  }
  for (const name of names) {
    // One scenario a process: instrumentations patch modules and the global provider for good.
    if (!SCENARIOS[name]) throw new Error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(', ')}`);
    const { provider, exporter } = setUp();
    await SCENARIOS[name](provider, exporter);
    await provider.forceFlush();
    const spans = exporter.getFinishedSpans().map(toJson);
    mkdirSync(OUT_DIR, { recursive: true });
    const fixture = { scenario: name, packages: versions(PACKAGES[name]), spans };
    writeFileSync(new URL(`${name}.json`, OUT_DIR), `${JSON.stringify(fixture, null, 2)}\n`);
    console.log(`${name}: ${spans.length} spans`);
    await provider.shutdown();
  }
}

/** This Node, or the one from .ci/node-versions when the scenario needs a newer major. */
function nodeFor(name) {
  const needed = NODE_MAJOR[name];
  if (!needed || Number(process.versions.node.split('.')[0]) >= needed) return process.execPath;
  const binary = new URL(`../.ci/node-versions/node_modules/node${needed}/bin/node`, import.meta.url).pathname;
  if (!existsSync(binary)) throw new Error(`${name} needs Node ${needed}: run \`cd .ci/node-versions && npm ci\` first`);
  return binary;
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

/** `embed` with the AI SDK 6's telemetry: the run and its model call. */
async function captureAiSdkEmbed() {
  const ai = await import('ai');
  const { MockEmbeddingModelV3 } = await import('ai/test');
  await ai.embed({
    model: embeddingModel(MockEmbeddingModelV3),
    value: 'Paris weather',
    experimental_telemetry: { isEnabled: true, functionId: 'embed-query', metadata: { sessionId: 'session-42', userId: 'user-7' } },
  });
}

/**
 * Mock models for one LanguageModel version: a call that asks for the weather tool then answers,
 * a streamed greeting, and a call that fails. Only the shapes of results differ between versions.
 */
function mockModels(Mock, simulateReadableStream, spec) {
  const base = { provider: spec.provider, modelId: spec.modelId, ...spec.base };
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
  v4: ({ MockLanguageModelV4 }, { simulateReadableStream }) =>
    mockModels(MockLanguageModelV4, simulateReadableStream, {
      provider: 'anthropic.messages',
      modelId: 'claude-sonnet-4-6',
      responseModel: 'claude-sonnet-4-6-20250929',
      // The model takes image URLs itself: the SDK does not download them.
      base: { supportedUrls: { 'image/*': [/^https:\/\//] } },
      extra: { warnings: [] },
      toolCall: {
        finishReason: { unified: 'tool-calls', raw: 'tool_use' },
        usage: v3Usage(30, 12),
        content: [{ type: 'reasoning', text: 'The user wants the weather: call the tool.' }, v2ToolCall],
      },
      answer: {
        finishReason: { unified: 'stop', raw: 'end_turn' },
        usage: v3Usage(50, 9),
        content: [{ type: 'text', text: ANSWER }],
      },
      chunks: textChunks({ type: 'finish', finishReason: { unified: 'stop', raw: 'end_turn' }, usage: v3Usage(15, 5) }),
    }),
};

// ---------------------------------------------------------------- Vercel AI SDK v7 with @ai-sdk/otel (Node 22)

/**
 * The AI SDK 7 records nothing by itself: `@ai-sdk/otel` is registered once. The run carries a
 * runtime context (session and user) that the integration writes on the root span; the model
 * reasons before it calls a tool, reads its cache, and is shown an image.
 */
async function captureAiSdk7() {
  const ai = await import('ai-v7');
  const { OpenTelemetry } = await import('@ai-sdk/otel');
  const { z } = await import('zod');
  const mocks = await import('ai-v7/test');
  ai.registerTelemetry(new OpenTelemetry({ runtimeContext: true, usage: true, embedding: true }));
  const model = aiModels.v4(mocks, ai);
  const runtimeContext = { sessionId: 'session-42', userId: 'user-7' };
  const telemetry = (functionId) => ({ functionId, includeRuntimeContext: { sessionId: true, userId: true } });
  const weather = ai.tool({
    description: 'Current weather in a city',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => ({ city, temperature_c: 21 }),
  });
  await ai.generateText({
    model: model.toolThenText(),
    system: 'You are a weather assistant.',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is the weather in Paris?' },
          { type: 'file', mediaType: 'image/png', data: new URL('https://example.com/paris.png') },
        ],
      },
    ],
    tools: { weather },
    temperature: 0.3,
    maxOutputTokens: 200,
    stopWhen: ai.stepCountIs(3),
    runtimeContext,
    telemetry: telemetry('weather-agent'),
  });
  const stream = ai.streamText({
    model: model.stream(),
    // A system message in the conversation itself stays in it (GenAI 1.42).
    messages: [
      { role: 'system', content: 'Greet warmly.' },
      { role: 'user', content: 'Say hello' },
    ],
    allowSystemInMessages: true,
    runtimeContext,
    telemetry: telemetry('greeter'),
  });
  for await (const part of stream.textStream) void part;
  try {
    await ai.generateText({ model: model.failing(), prompt: 'This call fails', maxRetries: 0, telemetry: telemetry('failing') });
  } catch {
    // The failure is what the fixture records.
  }
  await ai.embed({ model: embeddingModel(mocks.MockEmbeddingModelV4), value: 'Paris weather', telemetry: telemetry('embed-query') });
}

/** A mock embedding model of the AI SDK's class `Mock`: three dimensions, six tokens. */
function embeddingModel(Mock) {
  return new Mock({
    provider: 'openai.embedding',
    modelId: 'text-embedding-3-small',
    doEmbed: async () => ({ embeddings: [[0.1, 0.2, 0.3]], usage: { tokens: 6 }, warnings: [] }),
  });
}

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
    if (flavour === 'openinference') await embedWithOpenAI(OpenAI);
  } finally {
    await fake.close();
  }
}

/** One embeddings request (OpenInference records an EMBEDDING span), against a fake on loopback. */
async function embedWithOpenAI(OpenAI) {
  const fake = await startFakeServer((request) => ({
    object: 'list',
    model: `${request.model}-v1`,
    data: request.input.map((_text, index) => ({ object: 'embedding', index, embedding: [0.1, 0.2, 0.3] })),
    usage: { prompt_tokens: 9, total_tokens: 9 },
  }));
  try {
    const openai = new OpenAI({ baseURL: fake.url, apiKey: 'fake', maxRetries: 0 });
    await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['Paris weather', 'Lyon weather'], encoding_format: 'float' });
  } finally {
    await fake.close();
  }
}

/** A JSON API on 127.0.0.1 that answers every POST with `answer(request body)`. */
async function startFakeServer(answer) {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer(JSON.parse(body))));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/v1`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
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

/** OpenInference's LangChain instrumentation on LangChain's CommonJS callback manager. */
async function instrumentLangChain(provider) {
  const { LangChainInstrumentation } = await import('@arizeai/openinference-instrumentation-langchain');
  const instrumentation = new LangChainInstrumentation();
  instrumentation.setTracerProvider(provider);
  instrumentation.manuallyInstrument(require('@langchain/core/callbacks/manager'));
}

/** A system message naming a role, then the question. */
function rolePrompt() {
  const { ChatPromptTemplate } = require('@langchain/core/prompts');
  return ChatPromptTemplate.fromMessages([
    ['system', 'You are a {role}.'],
    ['human', '{question}'],
  ]);
}

async function captureLangChain(provider) {
  await instrumentLangChain(provider);
  const { FakeListChatModel } = require('@langchain/core/utils/testing');
  const { tool } = require('@langchain/core/tools');
  const { z } = require('zod');
  const prompt = rolePrompt();
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

/** A provider's chat model (OpenAI's, against the fake on loopback) in a chain, and a retriever of the app's own. */
async function captureLangChainOpenAI(provider) {
  await instrumentLangChain(provider);
  const { BaseRetriever } = require('@langchain/core/retrievers');
  const { Document } = require('@langchain/core/documents');
  const { ChatOpenAI } = require('@langchain/openai');
  const prompt = rolePrompt();
  const fake = await startFakeOpenAI();
  try {
    const openai = new ChatOpenAI({ model: 'gpt-4o-mini', temperature: 0.2, apiKey: 'fake', maxRetries: 0, configuration: { baseURL: fake.url } });
    await prompt.pipe(openai).invoke({ role: 'travel guide', question: 'What opens early in Paris?' });
  } finally {
    await fake.close();
  }
  class CityGuide extends BaseRetriever {
    lc_namespace = ['fixture', 'retrievers'];
    async _getRelevantDocuments(query) {
      void query;
      return [
        new Document({ id: 'doc-1', pageContent: 'The Louvre opens at 9:00.', metadata: { source: 'guide', page: 3 } }),
        new Document({ id: 'doc-2', pageContent: 'Bakeries open at 7:00.', metadata: { source: 'guide', page: 8 } }),
      ];
    }
  }
  await new CityGuide().invoke('What opens early in Paris?');
}

// ---------------------------------------------------------------- OpenLLMetry's SDK: entity spans

/**
 * Traceloop's SDK builds its own provider (a NodeSDK with its span processor, which writes the
 * association properties): ours steps aside, and the SDK exports to the scenario's exporter. A
 * workflow runs an agent (which names no model) with a tool, a task calling OpenAI, and a
 * vector-store query reported through `withVectorDBCall`.
 */
async function captureTraceloopEntities(_provider, exporter) {
  trace.disable();
  context.disable();
  process.env.OTEL_NODE_RESOURCE_DETECTORS = 'none';
  const traceloop = await import('@traceloop/node-server-sdk');
  const { default: OpenAI } = await import('openai');
  traceloop.initialize({
    appName: 'fixture-app',
    apiKey: 'fixture',
    exporter,
    disableBatch: true,
    traceloopSyncEnabled: false,
    silenceInitializationMessage: true,
    instrumentModules: { openAI: OpenAI },
  });
  const fake = await startFakeOpenAI();
  const openai = new OpenAI({ baseURL: fake.url, apiKey: 'fake', maxRetries: 0 });
  const guidebook = async ({ span }) => {
    span.reportQuery({ queryVector: [0.1, 0.2, 0.3] });
    span.reportResults({
      results: [
        { ids: 'doc-1', scores: 0.92, distances: 0.08, metadata: { source: 'guide' }, documents: 'The Louvre opens at 9:00.' },
        { ids: 'doc-2', scores: 0.81, distances: 0.19, metadata: { source: 'guide' }, documents: 'Bakeries open at 7:00.' },
      ],
    });
  };
  const agent = async (request) => {
    const weather = await traceloop.withTool({ name: 'get_weather' }, async ({ city }) => ({ city, temperature_c: 21 }), { city: request.city });
    await traceloop.withVectorDBCall({ vendor: 'guidebook', type: 'query' }, guidebook);
    return traceloop.withTask({ name: 'summarize' }, async () => {
      const reply = await openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: `Plan a morning in ${request.city}, ${weather.temperature_c} °C` }],
      });
      return reply.choices[0].message.content;
    });
  };
  try {
    await traceloop.withWorkflow(
      { name: 'trip_planner', associationProperties: { session_id: 'tl-session-1', user_id: 'tl-user-1' } },
      () => traceloop.withAgent({ name: 'planner', version: 2 }, agent, { city: 'Paris' }),
    );
    await traceloop.forceFlush();
  } finally {
    await fake.close();
  }
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

/**
 * What the GenAI conventions added from 1.37 to 1.42 and no package records yet, written as they
 * say: a workflow (`invoke_workflow`) running a remote agent created for it (`create_agent`, then a
 * CLIENT `invoke_agent` with its version), and an in-process agent (INTERNAL `invoke_agent`, no
 * model) that retrieves documents, runs a tool whose span name carries it, and streams a reasoning
 * model's answer (cache and reasoning tokens, time to first chunk, a system message inside the
 * conversation, a file and an audio clip).
 */
function captureGenAiAgents(provider) {
  const tracer = provider.getTracer('fixture-app', '1.0.0');
  const child = (parent, name, kind, attributes) => {
    const span = tracer.startSpan(name, { kind, attributes }, trace.setSpan(context.active(), parent));
    span.end();
  };
  const workflow = tracer.startSpan('invoke_workflow trip_planner', {
    kind: SpanKind.INTERNAL,
    attributes: {
      'gen_ai.operation.name': 'invoke_workflow',
      'gen_ai.workflow.name': 'trip_planner',
      'gen_ai.conversation.id': 'conv-456',
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Plan my Saturday in Paris.' }] }]),
      'gen_ai.output.messages': JSON.stringify([
        { role: 'assistant', parts: [{ type: 'text', content: 'Louvre at 9, lunch by the Seine.' }], finish_reason: 'stop' },
      ]),
    },
  });
  const agentIdentity = {
    'gen_ai.provider.name': 'openai',
    'gen_ai.agent.name': 'concierge',
    'gen_ai.agent.id': 'asst_42',
    'gen_ai.agent.version': '2026-06-01',
    'gen_ai.request.model': 'gpt-4.1',
  };
  child(workflow, 'create_agent concierge', SpanKind.CLIENT, {
    'gen_ai.operation.name': 'create_agent',
    ...agentIdentity,
    'gen_ai.agent.description': 'Books tables and tickets',
    'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'You book things.' }]),
  });
  child(workflow, 'invoke_agent concierge', SpanKind.CLIENT, {
    'gen_ai.operation.name': 'invoke_agent',
    ...agentIdentity,
    'gen_ai.conversation.id': 'conv-456',
    'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Book lunch by the Seine.' }] }]),
    'gen_ai.output.messages': JSON.stringify([
      { role: 'assistant', parts: [{ type: 'text', content: 'Booked for 12:30.' }], finish_reason: 'stop' },
    ]),
    'gen_ai.usage.input_tokens': 200,
    'gen_ai.usage.output_tokens': 50,
  });
  const planner = tracer.startSpan(
    'invoke_agent planner',
    { kind: SpanKind.INTERNAL, attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' } },
    trace.setSpan(context.active(), workflow),
  );
  child(planner, 'retrieval guidebook', SpanKind.CLIENT, {
    'gen_ai.operation.name': 'retrieval',
    'gen_ai.data_source.id': 'guidebook',
    'gen_ai.request.top_k': 2,
    'gen_ai.retrieval.query.text': 'What opens early in Paris?',
    'gen_ai.retrieval.documents': JSON.stringify([
      { id: 'doc-1', score: 0.92, content: 'The Louvre opens at 9:00.' },
      { id: 'doc-2', score: 0.81 },
    ]),
  });
  child(planner, 'execute_tool get_opening_hours', SpanKind.INTERNAL, {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.call.id': 'call_21',
    'gen_ai.tool.call.arguments': JSON.stringify({ place: 'Louvre' }),
    'gen_ai.tool.call.result': '9:00-18:00',
  });
  child(planner, 'chat o4-mini', SpanKind.CLIENT, {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'o4-mini',
    'gen_ai.request.stream': true,
    'gen_ai.response.time_to_first_chunk': 0.42,
    'gen_ai.input.messages': JSON.stringify([
      { role: 'system', parts: [{ type: 'text', content: 'Answer from the documents.' }] },
      {
        role: 'user',
        parts: [
          { type: 'text', content: 'Plan the morning. My notes and a voice memo:' },
          { type: 'file', modality: 'document', mime_type: 'application/pdf', file_id: 'file-abc123' },
          { type: 'blob', modality: 'audio', mime_type: 'audio/wav', content: 'UklGRiQAAABXQVZF' },
        ],
      },
    ]),
    'gen_ai.output.messages': JSON.stringify([
      {
        role: 'assistant',
        parts: [
          { type: 'reasoning', content: 'The Louvre opens first.' },
          { type: 'text', content: 'Start at the Louvre at 9.' },
        ],
        finish_reason: 'stop',
      },
    ]),
    'gen_ai.usage.input_tokens': 90,
    'gen_ai.usage.output_tokens': 60,
    'gen_ai.usage.reasoning.output_tokens': 20,
    'gen_ai.usage.cache_read.input_tokens': 64,
    'gen_ai.usage.cache_creation.input_tokens': 16,
    'gen_ai.response.finish_reasons': ['stop'],
  });
  planner.end();
  workflow.end();
}

await main(process.argv.slice(2));
