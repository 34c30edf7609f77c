// An AWS Lambda handler: the tracer provider is made once per container, outside the handler, and
// every invocation flushes before it returns (Lambda may freeze the process right after). Here the
// handler is invoked twice, as the Lambda runtime would, against the local log server.
//   npm run example -- lambda-handler
import { context, trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { HumanloopSpanProcessor } from 'humanloop-otel-exporter';
import { agent, chat, printLogTree, startLocal } from './local-setup.mjs';

export async function main() {
  const { server, options } = await startLocal();

  // Once per container.
  const processor = new HumanloopSpanProcessor({ ...options, project: 'lambda-example' });
  const provider = new NodeTracerProvider({ spanProcessors: [processor] });
  provider.register();
  const tracer = trace.getTracer('lambda-example');

  // The handler: answer, then flush (one round trip to Humanloop, whatever the nesting).
  const handler = async (event) => {
    try {
      const answer = await agent(tracer, 'support', async () => {
        const plan = await chat(tracer, `Plan an answer to: ${event.question}`);
        return chat(tracer, `Answer with this plan: ${plan}`);
      });
      return { statusCode: 200, body: JSON.stringify({ answer }) };
    } finally {
      await processor.forceFlush();
    }
  };

  try {
    for (const question of ['Where is my order?', 'Can I change the address?']) {
      const response = await handler({ question });
      console.log(`invocation: ${response.statusCode}, ${server.logCount()} logs stored so far`);
    }
    console.log('\nWhat the local log server received:\n');
    printLogTree(server.logs());
    return server.logs();
  } finally {
    await provider.shutdown();
    // Unregistered only so that another example can run in the same process after this one.
    trace.disable();
    context.disable();
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
