// Beside an OTLP pipeline you already run, with the OpenTelemetry NodeSDK: every span goes to your
// Collector (Jaeger, Honeycomb...) as before, and the LLM spans also go to Humanloop. Here the
// "Collector" is a small OTLP/HTTP receiver on 127.0.0.1 that counts what it gets.
//   npm run example -- nodesdk-otlp
import { createServer } from 'node:http';
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { HumanloopSpanProcessor } from 'humanloop-otel-exporter';
import { agent, chat, printLogTree, startLocal } from './local-setup.mjs';

/** Stands in for your Collector: an OTLP/HTTP JSON receiver that counts spans. */
async function startCollector() {
  let spans = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      for (const resource of body.resourceSpans ?? []) for (const scope of resource.scopeSpans ?? []) spans += scope.spans.length;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/v1/traces`, spans: () => spans, close: () => server.close() };
}

export async function main() {
  const { server, options } = await startLocal();
  const collector = await startCollector();

  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': 'support-bot' }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: collector.url })),
      new HumanloopSpanProcessor({ ...options, project: 'nodesdk' }),
    ],
  });
  sdk.start();

  const tracer = trace.getTracer('support-bot');
  try {
    await tracer.startActiveSpan('GET /orders/1042', { attributes: { 'http.request.method': 'GET' } }, async (http) => {
      await agent(tracer, 'order-status', () => chat(tracer, 'Where is order 1042?'));
      http.end();
    });
  } finally {
    await sdk.shutdown();
    await server.close();
    collector.close();
  }
  console.log(`the Collector got ${collector.spans()} spans (the HTTP span too); Humanloop got the LLM ones:\n`);
  printLogTree(server.logs());
  return server.logs();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
