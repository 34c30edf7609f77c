// A Next.js (or Vercel) route handler that answers first and flushes after, with `after()` from
// `next/server` (or `waitUntil()` from `@vercel/functions`): the user does not wait for the logs.
// Next.js is not needed to run it: `after` here is a stand-in that runs the task once the response
// is out, as the platform does.
//   npm run example -- next-after
import { context, trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { HumanloopSpanProcessor } from 'humanloop-otel-exporter';
import { agent, chat, printLogTree, startLocal } from './local-setup.mjs';

/** Stand-in for `after` from `next/server`: tasks run after the response is sent. */
const pending = [];
const after = (task) => void pending.push(Promise.resolve().then(task));

export async function main() {
  const { server, options } = await startLocal();
  // In instrumentation.ts (register()), once per server instance.
  const processor = new HumanloopSpanProcessor({ ...options, project: 'next-example' });
  const provider = new NodeTracerProvider({ spanProcessors: [processor] });
  provider.register();
  const tracer = trace.getTracer('next-example');

  // app/api/answer/route.ts
  async function POST(request) {
    const { question } = await request.json();
    const answer = await agent(tracer, 'support', () => chat(tracer, question));
    after(() => processor.forceFlush());
    return Response.json({ answer });
  }

  try {
    const response = await POST(new Request('http://localhost/api/answer', { method: 'POST', body: JSON.stringify({ question: 'Is it in stock?' }) }));
    console.log(`response: ${response.status} ${JSON.stringify(await response.json())} (logs stored when it was sent: ${server.logCount()})`);
    await Promise.all(pending);
    console.log('\nWhat the local log server received after the response:\n');
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
