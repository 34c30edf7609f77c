// An application that loads the exporter from the CommonJS build, constructs the processor in its
// tracer provider, then sends one LLM span. Prints, as JSON, the packages and the exporter's own
// folders (dist/cjs/<folder>) loaded after construction, and again after the span was flushed.
// Usage: node import-graph.cjs <baseUrl> <apiKey>
const { join } = require('node:path');

const DIST = join(__dirname, '../../../dist/cjs');
const [baseUrl, apiKey] = process.argv.slice(2);

function loaded() {
  const names = new Set();
  for (const file of Object.keys(require.cache)) {
    const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file);
    if (dependency) names.add(dependency[1]);
    else if (file.startsWith(`${DIST}/`)) names.add(`dist/${file.slice(DIST.length + 1).split('/')[0]}`);
  }
  return [...names].sort();
}

const { HumanloopSpanProcessor } = require(join(DIST, 'index.js'));
const { BasicTracerProvider } = require('@opentelemetry/sdk-trace-base');

const processor = new HumanloopSpanProcessor({ apiKey, baseUrl, project: 'import-graph' });
const provider = new BasicTracerProvider({ spanProcessors: [processor] });
const constructed = loaded();
provider.getTracer('import-graph').startSpan('chat gpt-4o', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' } }).end();
void processor.forceFlush().then(async () => {
  const flushed = loaded();
  await provider.shutdown();
  process.stdout.write(JSON.stringify({ constructed, flushed }));
});
