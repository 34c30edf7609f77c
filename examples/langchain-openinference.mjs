// LangChain (@langchain/core) with OpenInference's LangChain instrumentation: a prompt piped into a
// chat model, and a tool. The chat model is LangChain's own fake (FakeListChatModel), so this runs
// offline; with a real model the logs look the same.
//   npm run example -- langchain-openinference
import { context, trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import * as callbackManager from '@langchain/core/callbacks/manager';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { tool } from '@langchain/core/tools';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { HumanloopSpanProcessor } from 'humanloop-otel-exporter';
import { z } from 'zod';
import { printLogTree, startLocal } from './local-setup.mjs';

export async function main() {
  const { server, options } = await startLocal();
  const provider = new NodeTracerProvider({ spanProcessors: [new HumanloopSpanProcessor({ ...options, project: 'langchain' })] });
  provider.register();
  // In an ES module app, LangChain's callback manager is instrumented by hand.
  const instrumentation = new LangChainInstrumentation();
  instrumentation.manuallyInstrument(callbackManager);

  const prompt = ChatPromptTemplate.fromMessages([
    ['system', 'You are a {role}.'],
    ['human', '{question}'],
  ]);
  const chain = prompt.pipe(new FakeListChatModel({ responses: ['Paris is sunny today.'] }));
  const lookup = tool(async ({ city }) => `21 °C in ${city}`, {
    name: 'lookup_weather',
    description: 'Looks up the weather',
    schema: z.object({ city: z.string() }),
  });
  try {
    const reply = await chain.invoke({ role: 'weather assistant', question: 'Weather in Paris?' });
    console.log(`answer: ${reply.content}; tool: ${await lookup.invoke({ city: 'Paris' })}`);
  } finally {
    await provider.shutdown();
    instrumentation.disable();
    trace.disable();
    context.disable();
    await server.close();
  }
  console.log('\nWhat the local log server received:\n');
  printLogTree(server.logs());
  return server.logs();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
