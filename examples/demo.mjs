// The demo: a small support bot instrumented with OpenLLMetry's OpenAI instrumentation, talking to a
// fake OpenAI server on 127.0.0.1, exporting through HumanloopSpanProcessor to the bundled local log
// server. Prints the tree of logs the server received, and how to open them in the trace viewer.
// Offline; no API key needed.
//   npm run demo -- --api v5       the same through Humanloop's v5 API
//   npm run demo -- --data FILE    keep the logs in FILE (JSON Lines; default: a fresh file in the temp dir)
//   npm run demo -- --serve        keep the server running afterwards, for the web page (Ctrl-C stops it)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenAIInstrumentation } from '@traceloop/instrumentation-openai';
import { HumanloopSpanProcessor } from 'humanloop-otel-exporter';
import { formatLogTree, startLocalLogServer } from 'humanloop-log-server';
import OpenAI from 'openai';
import { startFakeOpenAI } from './fake-openai.mjs';

const API_KEY = 'demo-key';
const MODEL = 'gpt-4o-mini';
const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

let openai;
const tracer = trace.getTracer('demo-support-bot', '1.0.0');

/** An agent that answers with the help of a weather tool: chat → tool → chat. */
async function weatherAgent(question) {
  return tracer.startActiveSpan(
    'invoke_agent weather-agent',
    {
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'weather-agent',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': MODEL,
      },
    },
    async (agent) => {
      const messages = [
        { role: 'system', content: 'You are a helpful weather assistant.' },
        { role: 'user', content: question },
      ];
      const first = await openai.chat.completions.create({ model: MODEL, messages, tools: [WEATHER_TOOL] });
      const call = first.choices[0].message.tool_calls[0];
      const result = runTool(call);
      messages.push(first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: result });
      const second = await openai.chat.completions.create({ model: MODEL, messages, tools: [WEATHER_TOOL] });
      agent.end();
      return second.choices[0].message.content;
    },
  );
}

function runTool(call) {
  return tracer.startActiveSpan(
    `execute_tool ${call.function.name}`,
    {
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': call.function.name,
        'gen_ai.tool.call.id': call.id,
        'gen_ai.tool.call.arguments': call.function.arguments,
      },
    },
    (span) => {
      const result = JSON.stringify({ city: 'Paris', temperature_c: 21, sky: 'clear' });
      span.setAttribute('gen_ai.tool.call.result', result);
      span.end();
      return result;
    },
  );
}

/** A request handler: its HTTP span is not sent to Humanloop, the LLM work under it is. */
async function handleRequest(question) {
  return tracer.startActiveSpan('POST /support', { attributes: { 'http.request.method': 'POST' } }, async (http) => {
    try {
      return await weatherAgent(question);
    } finally {
      http.end();
    }
  });
}

async function streamGreeting() {
  const stream = await openai.chat.completions.create({
    model: MODEL,
    messages: [{ role: 'user', content: 'Say hello to the demo audience' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  return text;
}

async function failingCall() {
  // The fake provider answers 429 for this model. The instrumentation does not end the span of a
  // failed call, so the app records the failure on a span of its own.
  return tracer.startActiveSpan(
    'chat rate-limited-model',
    { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'rate-limited-model' } },
    async (span) => {
      try {
        await openai.chat.completions.create({ model: 'rate-limited-model', messages: [{ role: 'user', content: 'Hi' }] });
      } catch (error) {
        span.recordException(error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      } finally {
        span.end();
      }
    },
  );
}

/** `--api v5` sends the logs through Humanloop's v5 API; `--data FILE` keeps them; `--serve` keeps serving. */
function optionsFromArgs() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: false,
    options: { api: { type: 'string' }, data: { type: 'string' }, serve: { type: 'boolean' } },
  });
  const data = typeof values.data === 'string' ? values.data : undefined;
  return { api: values.api === 'v5' ? 'v5' : 'v4', data, serve: values.serve === true };
}

/** A new file of the demo's own in the temp directory each run; a file the user named is added to. */
function dataFileFor(data) {
  return data ?? join(mkdtempSync(join(tmpdir(), 'humanloop-demo-')), 'logs.jsonl');
}

/** With --serve, the viewer's usual port if it is free, else any free one. */
async function startServer(options, serve) {
  if (!serve) return startLocalLogServer({ ...options, port: 0 });
  try {
    return await startLocalLogServer({ ...options, port: 8787 });
  } catch (error) {
    if (error?.code !== 'EADDRINUSE') throw error;
    return startLocalLogServer({ ...options, port: 0 });
  }
}

function waitForCtrlC() {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

export async function main() {
  const { api, data, serve } = optionsFromArgs();
  const dataFile = dataFileFor(data);
  const server = await startServer({ apiKey: API_KEY, api, dataFile }, serve);
  const page = server.url.replace(/\/v[45]$/, '/');
  const before = new Set((api === 'v5' ? server.v5Logs() : server.logs()).map((log) => log.id));
  const fakeOpenAI = await startFakeOpenAI();

  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'demo-support-bot' }),
    spanProcessors: [new HumanloopSpanProcessor({ api, apiKey: API_KEY, baseUrl: server.url, project: 'demo' })],
  });
  provider.register();

  const instrumentation = new OpenAIInstrumentation({ traceContent: true });
  instrumentation.setTracerProvider(provider);
  instrumentation.manuallyInstrument(OpenAI);
  openai = new OpenAI({ baseURL: fakeOpenAI.url, apiKey: 'not-a-real-key', maxRetries: 0 });

  try {
    console.log(`local log server: ${server.url}   fake OpenAI: ${fakeOpenAI.url}\n`);
    console.log(`agent answer:    ${await handleRequest('What is the weather in Paris?')}`);
    console.log(`streamed answer: ${await streamGreeting()}`);
    await failingCall();
    await provider.shutdown();
    console.log('\nWhat the local log server received:\n');
    const logs = (api === 'v5' ? server.v5Logs() : server.logs()).filter((log) => !before.has(log.id));
    console.log(formatLogTree(logs));
    if (serve) {
      console.log(`\nThe trace viewer is open at ${page} (Ctrl-C stops it).`);
      await waitForCtrlC();
    } else {
      console.log(`\nThe logs are kept in ${dataFile}. To read them in the trace viewer, run`);
      console.log(`  npm run serve -- --data ${dataFile}`);
      console.log('and open http://127.0.0.1:8787/ (or run the demo with --serve to keep its server open).');
    }
    return logs;
  } finally {
    await fakeOpenAI.close();
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
