// Flush time in round trips, as a serverless handler pays it: an agent trace nested DEPTH levels
// deep is made while "the application works", then flushed at the end of the invocation. Every
// request to the receiver is delayed by DELAY_MS, so flush time / DELAY_MS is the number of
// request rounds the flush waited for. Setups: this package's span processor; this exporter
// behind a BatchSpanProcessor (flushed as the README says: the processor, then the exporter);
// both again through Humanloop's v5 API; the OTLP HTTP exporter behind a BatchSpanProcessor.
//   node bench/flush.mjs [--quick]      prints a table; import { benchFlush } for the full benchmark
import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { HumanloopSpanExporter, HumanloopSpanProcessor } from 'humanloop-otel-exporter';
import { startTestLogServer } from 'humanloop-log-server/testing';

const DELAY_MS = 100;
const SETUPS = ['processor', 'batch+exporter', 'processor v5', 'batch+exp. v5', 'otlp'];
const AGENT = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner', 'gen_ai.request.model': 'gpt-4o' };
const CHAT = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Plan the trip.' }] }]),
  'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Day one: ...' }] }]),
  'gen_ai.usage.input_tokens': 12,
  'gen_ai.usage.output_tokens': 40,
};

/** An OTLP/HTTP receiver that answers every request after DELAY_MS. */
async function startOtlpReceiver() {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), DELAY_MS));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/v1/traces`, close: () => new Promise((resolve) => server.close(resolve)) };
}

function connect(setup, receivers) {
  const resource = resourceFromAttributes({ 'service.name': 'flush-bench' });
  const api = setup.endsWith(' v5') ? 'v5' : 'v4';
  const options = { api, apiKey: 'bench-key', baseUrl: receivers.humanloop[api].url, project: 'bench' };
  if (setup.startsWith('processor')) {
    const processor = new HumanloopSpanProcessor(options);
    return { provider: new BasicTracerProvider({ resource, spanProcessors: [processor] }), flush: () => processor.forceFlush() };
  }
  const exporter = setup === 'otlp' ? new OTLPTraceExporter({ url: receivers.otlp.url }) : new HumanloopSpanExporter(options);
  const batch = new BatchSpanProcessor(exporter);
  const provider = new BasicTracerProvider({ resource, spanProcessors: [batch] });
  return { provider, flush: async () => (await batch.forceFlush(), await exporter.forceFlush?.()) };
}

/** Agents nested `depth` deep around one LLM call, each level a little work apart. */
async function makeTrace(tracer, depth) {
  const agents = [];
  let context = ROOT_CONTEXT;
  for (let level = 0; level < depth; level++) {
    const agent = tracer.startSpan(`agent ${level}`, { attributes: AGENT }, context);
    agents.push(agent);
    context = trace.setSpan(context, agent);
    await sleep(DELAY_MS * 2);
  }
  const chat = tracer.startSpan('chat', { attributes: CHAT }, context);
  await sleep(DELAY_MS * 2);
  chat.end();
  for (const agent of agents.reverse()) agent.end();
}

/** Median round trips per setup and depth. */
export async function benchFlush({ depths = [1, 3, 5], runs = 3 } = {}) {
  const humanloop = { v4: await startTestLogServer({ apiKey: 'bench-key' }), v5: await startTestLogServer({ apiKey: 'bench-key', api: 'v5' }) };
  const delayAll = () => Object.values(humanloop).forEach((server) => server.setFaultPlan(() => ({ delayMillis: DELAY_MS })));
  delayAll();
  const receivers = { humanloop, otlp: await startOtlpReceiver() };
  const results = [];
  try {
    for (const depth of depths) {
      const row = { depth };
      for (const setup of SETUPS) {
        const rounds = [];
        for (let run = 0; run < runs; run++) {
          const { provider, flush } = connect(setup, receivers);
          await makeTrace(provider.getTracer('flush-bench'), depth);
          const started = performance.now();
          await flush();
          rounds.push((performance.now() - started) / DELAY_MS);
          await provider.shutdown();
          Object.values(humanloop).forEach((server) => server.clear());
          delayAll();
        }
        row[setup] = rounds.sort((a, b) => a - b)[Math.floor(rounds.length / 2)];
      }
      results.push(row);
    }
  } finally {
    await Promise.all(Object.values(humanloop).map((server) => server.close()));
    await receivers.otlp.close();
  }
  return { delayMs: DELAY_MS, rows: results };
}

export function printFlush({ delayMs, rows }) {
  console.log(`5. Flush at the end of an invocation, in round trips (flush time / ${delayMs} ms per request; median of runs)`);
  console.log(`   ${'depth'.padEnd(7)}${SETUPS.map((setup) => setup.padStart(16)).join('')}`);
  for (const row of rows) console.log(`   ${String(row.depth).padEnd(7)}${SETUPS.map((setup) => row[setup].toFixed(2).padStart(16)).join('')}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  printFlush(await benchFlush(quick ? { depths: [1, 5], runs: 1 } : {}));
}
