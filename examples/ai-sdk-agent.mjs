// The Vercel AI SDK (`ai` 6) with a tool: generateText calls the model, runs the tool, and calls
// the model again, all recorded by `experimental_telemetry`. The model is the AI SDK's own mock
// (`ai/test`), so this runs offline; with a real provider the logs look the same.
//   npm run example -- ai-sdk-agent
import { context, trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { generateText, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { HumanloopSpanProcessor } from 'humanloop-otel-exporter';
import { z } from 'zod';
import { printLogTree, startLocal } from './local-setup.mjs';

/** A model that first asks for the weather tool, then answers with its result. */
function mockModel() {
  const usage = (input, output) => ({ inputTokens: { total: input }, outputTokens: { total: output } });
  let calls = 0;
  return new MockLanguageModelV3({
    provider: 'openai.chat',
    modelId: 'gpt-4o-mini',
    doGenerate: async () => {
      calls++;
      const content =
        calls === 1
          ? [{ type: 'tool-call', toolCallId: 'call-1', toolName: 'weather', input: '{"city":"Paris"}' }]
          : [{ type: 'text', text: 'It is 21 °C and sunny in Paris.' }];
      return { content, finishReason: { unified: calls === 1 ? 'tool-calls' : 'stop', raw: undefined }, usage: usage(30, 12), warnings: [] };
    },
  });
}

export async function main() {
  const { server, options } = await startLocal();
  const provider = new NodeTracerProvider({ spanProcessors: [new HumanloopSpanProcessor({ ...options, project: 'ai-sdk' })] });
  provider.register();

  const weather = tool({
    description: 'Current weather in a city',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => ({ city, temperature_c: 21, sky: 'sunny' }),
  });
  try {
    const { text } = await generateText({
      model: mockModel(),
      system: 'You are a weather assistant.',
      prompt: 'What is the weather in Paris?',
      tools: { weather },
      stopWhen: stepCountIs(3),
      // This is all the AI SDK needs: it records its spans through the registered provider.
      experimental_telemetry: { isEnabled: true, functionId: 'weather-agent', metadata: { sessionId: 'session-1' } },
    });
    console.log(`answer: ${text}`);
  } finally {
    await provider.shutdown();
    trace.disable();
    context.disable();
    await server.close();
  }
  console.log('\nWhat the local log server received:\n');
  printLogTree(server.logs());
  return server.logs();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
