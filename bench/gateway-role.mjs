// One part of the gateway bench, in a process of its own (so the figures show what each costs):
//   node bench/gateway-role.mjs gateway LOG_SERVER_URL   a gateway delivering to the log server
//   node bench/gateway-role.mjs router URL...            the trace-id router in front of gateways (grpc://… URLs: over OTLP/gRPC)
//   node bench/gateway-role.mjs sender URL SPANS         spans made up front, then sent by the OTLP proto exporter
// Each reports {url} (or {sent}) over IPC, and answers 'stats' with its figures.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { startOtlpGateway } from 'humanloop-log-server/gateway';
import { ExportTraceServiceRequest } from '../packages/server/dist/gateway/otlp-messages.js';
import { protobufCodec, startTraceIdRouter } from '../test/helpers/trace-id-router.mjs';
import { makeSpans } from './workload.mjs';

const [role, ...args] = process.argv.slice(2);
/** Spans per OTLP request, as a BatchSpanProcessor sends them by default. */
const BATCH = 512;
/** OTLP requests in flight at once from the sender. */
const IN_FLIGHT = 4;

async function gateway([logServer]) {
  const running = await startOtlpGateway({ port: 0, grpcPort: 0, exporter: { apiKey: 'bench-key', baseUrl: logServer, project: 'bench' } });
  process.send({ url: running.url, grpcPort: running.grpcPort });
  process.on('message', (message) => {
    if (message === 'stats') process.send({ stats: running.stats() });
    if (message === 'exit') void running.close().then(() => process.exit(0));
  });
}

async function router(backends) {
  const running = await startTraceIdRouter(backends, protobufCodec(ExportTraceServiceRequest));
  process.send({ url: running.url });
  process.on('message', (message) => {
    if (message === 'exit') void running.close().then(() => process.exit(0));
  });
}

async function sender([url, count]) {
  const spans = [];
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench' }),
    spanProcessors: [{ onStart() {}, onEnd: (span) => spans.push(span), forceFlush: async () => {}, shutdown: async () => {} }],
  });
  makeSpans(provider.getTracer('bench'), Number(count));
  const exporter = new OTLPTraceExporter({ url: `${url}/v1/traces`, timeoutMillis: 60_000 });
  const batches = [];
  for (let from = 0; from < spans.length; from += BATCH) batches.push(spans.slice(from, from + BATCH));
  process.send({ ready: true });
  await new Promise((resolve) => process.once('message', resolve));
  const started = performance.now();
  let failed = 0;
  const send = (batch) => new Promise((resolve) => exporter.export(batch, (result) => resolve(result.code === 0 ? 0 : batch.length)));
  for (let next = 0; next < batches.length; next += IN_FLIGHT) {
    for (const lost of await Promise.all(batches.slice(next, next + IN_FLIGHT).map(send))) failed += lost;
  }
  process.send({ sent: spans.length, failed, sendMillis: performance.now() - started });
  await exporter.shutdown();
  process.exit(0);
}

await { gateway, router, sender }[role](args);
