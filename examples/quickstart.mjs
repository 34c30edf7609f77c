// The Quickstart, runnable: one span processor, and every LLM call, tool call and agent run of the
// app becomes a log, nested as in the trace. The "app" here records OTel GenAI spans as an
// instrumented client would; against the local log server, offline.
//   npm run example -- quickstart
import { context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { HumanloopSpanProcessor } from 'humanloop-otel-exporter';
import { agent, chat, printLogTree, startLocal } from './local-setup.mjs';

export async function main() {
  const { server, options } = await startLocal();

  // In your app: HUMANLOOP_API_KEY from the environment, and no baseUrl (api.humanloop.com).
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'support-bot' }),
    spanProcessors: [new HumanloopSpanProcessor({ ...options, project: 'quickstart' })],
  });
  provider.register();

  const tracer = trace.getTracer('support-bot');
  try {
    const answer = await agent(tracer, 'support', async () => {
      const facts = await chat(tracer, 'What do we know about order 1042?');
      return chat(tracer, `Write a reply using: ${facts}`);
    });
    console.log(`answer: ${answer}`);
  } finally {
    // On exit: sends everything still held.
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
