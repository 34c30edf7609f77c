// openai with Arize's OpenInference instrumentation, in a CommonJS app: registerInstrumentations
// patches `openai` when it is required, so the provider and the instrumentation are set up first
// (in your app: `node --require ./instrumentation.cjs app.cjs`). The model is a fake OpenAI
// server on 127.0.0.1.
//   npm run example -- openai-openinference
const { context, trace } = require('@opentelemetry/api');
const { registerInstrumentations } = require('@opentelemetry/instrumentation');
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
const { OpenAIInstrumentation } = require('@arizeai/openinference-instrumentation-openai');
const { HumanloopSpanProcessor } = require('humanloop-otel-exporter');

async function main() {
  const { startFakeOpenAI } = await import('./fake-openai.mjs');
  const { printLogTree, startLocal } = await import('./local-setup.mjs');
  const { server, options } = await startLocal();
  const fakeOpenAI = await startFakeOpenAI();

  const provider = new NodeTracerProvider({ spanProcessors: [new HumanloopSpanProcessor({ ...options, project: 'openinference' })] });
  provider.register();
  const unregister = registerInstrumentations({ instrumentations: [new OpenAIInstrumentation()] });

  // Required after the instrumentation is registered: that is when it is patched.
  const { OpenAI } = require('openai');
  const openai = new OpenAI({ baseURL: fakeOpenAI.url, apiKey: 'not-a-real-key', maxRetries: 0 });
  try {
    const reply = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Say hello to the readers' },
      ],
    });
    console.log(`answer: ${reply.choices[0].message.content}`);
  } finally {
    await provider.shutdown();
    unregister();
    trace.disable();
    context.disable();
    await fakeOpenAI.close();
    await server.close();
  }
  console.log('\nWhat the local log server received:\n');
  printLogTree(server.logs());
  return server.logs();
}

module.exports = { main };
if (require.main === module) void main();
