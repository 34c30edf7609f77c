// Run with --expose-gc: starts spans that never end under HumanloopSpanProcessor, drops every
// reference to them, collects garbage, and prints how many of them were collected, as JSON.
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { HumanloopSpanProcessor } from '../../../dist/esm/index.js';

const [kind, count] = [process.argv[2], Number(process.argv[3])];
const ATTRIBUTES = {
  http: { 'http.request.method': 'GET', 'url.full': 'http://127.0.0.1/a', 'http.response.status_code': 200 },
  llm: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' },
};
const processor = new HumanloopSpanProcessor({ apiKey: 'unused', baseUrl: 'http://127.0.0.1:9/v4', batch: { scheduledDelayMillis: 60_000 } });
const provider = new BasicTracerProvider({ spanProcessors: [processor] });
const tracer = provider.getTracer('unended');
let collected = 0;
const registry = new FinalizationRegistry(() => collected++);

function startAbandoned() {
  for (let i = 0; i < count; i++) {
    const span = tracer.startSpan(`${kind} ${i}`, { attributes: ATTRIBUTES[kind] }, ROOT_CONTEXT);
    registry.register(span, i);
  }
}

startAbandoned();
for (let round = 0; round < 10 && collected < count; round++) {
  globalThis.gc();
  await new Promise((resolve) => setTimeout(resolve, 10));
}
process.stdout.write(JSON.stringify({ started: count, collected }));
await provider.shutdown();
