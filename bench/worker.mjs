// One measurement in a fresh process (so peak RSS and heap figures are its own). Prints JSON.
//   node --expose-gc bench/worker.mjs e2e|e2e-warm humanloop|otlp SPANS URL [OPTIONS_JSON]
//   node --expose-gc bench/worker.mjs overhead none|noop|humanloop|otlp SPANS URL
//   node --expose-gc bench/worker.mjs memory waiting|buffered SPANS
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { HumanloopSpanExporter } from 'humanloop-otel-exporter';
import { Agent } from 'undici';
import { makeSpans, TRACE_SPANS } from './workload.mjs';

const [mode, variant, spansArg, url, optionsArg] = process.argv.slice(2);
/** Exporter options beyond the defaults (the API version, requests in flight). */
const extraOptions = optionsArg ? JSON.parse(optionsArg) : {};
const spans = Number(spansArg);
const resource = resourceFromAttributes({ 'service.name': 'bench' });

/** Spans made up front, outside any measurement. */
function recorded(count, options, seed = 1) {
  const finished = [];
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors: [{ onStart() {}, onEnd: (span) => finished.push(span), forceFlush: async () => {}, shutdown: async () => {} }],
  });
  makeSpans(provider.getTracer('bench'), count, seed, options);
  return finished;
}

/** The exporter's own kind of connection pool, counting the requests and body bytes it sends. */
class CountingAgent extends Agent {
  requests = 0;
  bytes = 0;
  dispatch(options, handler) {
    this.requests++;
    this.bytes += options.body?.length ?? 0;
    return super.dispatch(options, handler);
  }
}

let countingAgent;

function exporterFor(kind) {
  if (kind === 'otlp') return new OTLPTraceExporter({ url, timeoutMillis: 30_000 });
  // With a dispatcher of its own the exporter opens no pool: this one is made as it would make it.
  countingAgent = new CountingAgent({ keepAliveTimeout: 10_000, connections: extraOptions.maxConcurrentRequests ?? 8 });
  return new HumanloopSpanExporter({ apiKey: 'bench-key', baseUrl: url, project: 'bench', dispatcher: countingAgent, ...extraOptions });
}

/**
 * Spans through a BatchSpanProcessor into the exporter and over loopback to a receiver. The
 * processor runs as in steady state: one export at a time, the next as soon as one is done.
 * `warm`: as many other spans go through first, untimed, so that what is timed runs on code V8
 * has already compiled, as in a process that has been up for a while.
 */
async function endToEnd(warm = false) {
  const warmUp = warm ? recorded(spans, undefined, 2) : [];
  const finished = recorded(spans);
  const exporter = exporterFor(variant);
  let exported = 0;
  let exports = 0;
  const countingExporter = {
    export: (batch, done) => {
      exports++;
      exporter.export(batch, (result) => {
        exported += batch.length;
        done(result);
      });
    },
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
    shutdown: () => exporter.shutdown(),
  };
  const processor = new BatchSpanProcessor(countingExporter, {
    maxQueueSize: spans + 1024,
    maxExportBatchSize: 512,
    scheduledDelayMillis: 20,
  });
  const deliver = async (list) => {
    const target = exported + list.length;
    for (const span of list) processor.onEnd(span);
    for (let waited = 0; exported < target && waited < 600_000; waited += 5) await new Promise((resolve) => setTimeout(resolve, 5));
    await exporter.forceFlush?.();
  };
  if (warm) {
    await deliver(warmUp);
    exports = 0;
    if (countingAgent) countingAgent.requests = countingAgent.bytes = 0;
  }
  // The spans made for this run are young: the first collections would move them to the old
  // generation inside the timed part, at the cost of whichever exporter allocates more.
  global.gc();
  global.gc();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await deliver(finished);
  const wallMs = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  await processor.shutdown();
  const sent = countingAgent ? { requests: countingAgent.requests, bytes: countingAgent.bytes } : {};
  return { wallMs, cpuMs: (user + system) / 1000, maxRssKb: process.resourceUsage().maxRSS, exports, ...sent };
}

/** Takes every batch and drops it at once: what the batch processor costs without any exporter's work. */
const discarding = { export: (batch, done) => done({ code: 0 }), shutdown: async () => {} };

/**
 * The application's own cost: the time it spends creating and ending LLM spans, a trace at a time
 * with a turn of the event loop between traces (as an application awaiting its LLM calls), so that
 * the exporter works between the application's tasks as it would in production. With no span
 * processor (`none`), with a BatchSpanProcessor and an exporter that discards (`noop`), with this
 * exporter (`humanloop`) or with the OTLP HTTP exporter (`otlp`). The processor's queue holds every
 * span, so none is dropped: `exported` says so.
 */
async function overhead() {
  const warmUp = 2_000;
  let exported = 0;
  const inner = variant === 'none' ? undefined : variant === 'noop' ? discarding : exporterFor(variant);
  const counting = inner && {
    export: (batch, done) => inner.export(batch, (result) => {
      exported += batch.length;
      done(result);
    }),
    shutdown: () => inner.shutdown(),
  };
  const processors = counting ? [new BatchSpanProcessor(counting, { maxQueueSize: warmUp + spans + 1024 })] : [];
  const provider = new BasicTracerProvider({ resource, spanProcessors: processors });
  const tracer = provider.getTracer('bench');
  makeSpans(tracer, warmUp, 2);
  let loopMs = 0;
  for (let made = 0, trace = 0; made < spans; made += TRACE_SPANS, trace++) {
    const started = performance.now();
    makeSpans(tracer, Math.min(TRACE_SPANS, spans - made), 1 + trace);
    loopMs += performance.now() - started;
    await new Promise((resolve) => setImmediate(resolve));
  }
  await provider.shutdown();
  return { loopMs, exported: counting ? exported - warmUp : spans };
}

/** Memory (JS heap and buffers) held per log waiting for a parent that never ends, or kept through an outage. */
async function memory() {
  const waiting = variant === 'waiting';
  const finished = recorded(spans * (waiting ? 10 : 1) / (waiting ? 9 : 1), { flat: !waiting })
    .filter((span) => (waiting ? span.parentSpanContext : true))
    .slice(0, spans);
  const exporter = new HumanloopSpanExporter({
    apiKey: 'bench-key',
    baseUrl: 'http://127.0.0.1:9/v4',
    exportTimeoutMillis: 300,
    parentWaitMillis: 3_600_000,
    maxWaitingLogs: spans + 1,
  });
  const exportAll = (batch) => new Promise((resolve) => exporter.export(batch, resolve));
  // Logs are held as bytes outside the JS heap: both count.
  // Freed buffers are released by a background sweep after a collection: give it a moment.
  const used = async () => {
    global.gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
    global.gc();
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    return heapUsed + arrayBuffers;
  };
  const before = await used();
  for (let i = 0; i < finished.length; i += 512) await exportAll(finished.slice(i, i + 512));
  // The spans are still referenced here, as before: the difference is what the exporter holds.
  const after = await used();
  // Kept logs are in the buffer or, while a retry probes the API, queued again: both hold their JSON.
  const stats = exporter.stats();
  const held = waiting ? stats.waitingLogs : stats.bufferedLogs + stats.queuedLogs;
  void finished.length;
  const result = { held, bytesPerLog: (after - before) / held };
  await exporter.shutdown();
  return result;
}

const run = { e2e: () => endToEnd(false), 'e2e-warm': () => endToEnd(true), overhead, memory }[mode];
process.stdout.write(`${JSON.stringify(await run())}\n`);
process.exit(0);
