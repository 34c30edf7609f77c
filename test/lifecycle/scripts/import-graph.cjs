// An application that loads the exporter from the CommonJS build, constructs the processor in its
// tracer provider, starts an HTTP server span, then an LLM span under it, and flushes. Prints, as
// JSON, the packages and the exporter's own files (dist/cjs/<file>) loaded at each step.
// Usage: node import-graph.cjs <baseUrl> <apiKey>
const { join } = require('node:path');

const DIST = join(__dirname, '../../../dist/cjs');
const [baseUrl, apiKey] = process.argv.slice(2);

function loaded() {
  const names = new Set();
  for (const file of Object.keys(require.cache)) {
    const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
    if (dependency) names.add(dependency[1]);
    else if (file.startsWith(`${DIST}/`)) names.add(`dist/${file.slice(DIST.length + 1)}`);
  }
  return [...names].sort();
}

const { HumanloopSpanProcessor } = require(join(DIST, 'index.js'));
const { context, trace } = require('@opentelemetry/api');
const { BasicTracerProvider } = require('@opentelemetry/sdk-trace-base');

const processor = new HumanloopSpanProcessor({ apiKey, baseUrl, project: 'import-graph' });
const provider = new BasicTracerProvider({ spanProcessors: [processor] });
const tracer = provider.getTracer('import-graph');
const { setImmediate: turn } = require('node:timers/promises');

async function main() {
  const constructed = loaded();
  const server = tracer.startSpan('GET /answer', { attributes: { 'http.request.method': 'GET' } });
  await turn();
  const serverStarted = loaded();
  const chat = tracer.startSpan('chat gpt-4o', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' } }, trace.setSpan(context.active(), server));
  await turn();
  const chatStarted = loaded();
  chat.end();
  server.end();
  await processor.forceFlush();
  await provider.shutdown();
  process.stdout.write(JSON.stringify({ constructed, serverStarted, chatStarted }));
}

void main();
