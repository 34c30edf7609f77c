// openai with OpenLLMetry's instrumentation (@traceloop/instrumentation-openai), in an ES module
// app. ESM needs the loader hook of @opentelemetry/instrumentation: without it,
// registerInstrumentations cannot patch the `openai` module, and nothing is traced (and nothing
// says why). In your app, put the three steps below in instrumentation.mjs and start with
// `node --import ./instrumentation.mjs app.mjs`; here they run before `openai` is imported.
// The model is a fake OpenAI server on 127.0.0.1.
//   npm run example -- openai-openllmetry
import { register } from 'node:module';
import { context, trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenAIInstrumentation } from '@traceloop/instrumentation-openai';
import { HumanloopSpanProcessor } from 'humanloop-otel-exporter';
import { startFakeOpenAI } from './fake-openai.mjs';
import { printLogTree, startLocal } from './local-setup.mjs';

export async function main() {
  const { server, options } = await startLocal();
  const fakeOpenAI = await startFakeOpenAI();

  // 1. The ESM loader hook, before the instrumented module is imported.
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  // 2. The provider with the Humanloop processor.
  const provider = new NodeTracerProvider({ spanProcessors: [new HumanloopSpanProcessor({ ...options, project: 'openllmetry' })] });
  provider.register();
  // 3. The instrumentation.
  const unregister = registerInstrumentations({ instrumentations: [new OpenAIInstrumentation({ traceContent: true })] });

  const { default: OpenAI } = await import('openai');
  const openai = new OpenAI({ baseURL: fakeOpenAI.url, apiKey: 'not-a-real-key', maxRetries: 0 });
  try {
    const reply = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello to the readers' }],
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

if (import.meta.url === `file://${process.argv[1]}`) await main();
