// npm run bench [-- --quick]: the exporter's speed, memory, cold start and installed size, against the
// OTLP HTTP exporter on the same spans, in one run. Prints a table and writes bench-results/bench.json.
// Everything runs on this machine over 127.0.0.1; each end-to-end figure comes from a fresh process.
import { execFileSync, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { Session } from 'node:inspector/promises';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { mapSpan } from 'humanloop-otel-exporter';
import { encodeLog } from '../build/esm/log/log-json.js';
import { fmt, spread, stats } from './figures.mjs';
import { benchColdStart, printColdStart } from './cold-start.mjs';
import { benchFlush, printFlush } from './flush.mjs';
import { measureInstallSize, printInstallSize } from './install-size.mjs';
import { makeSpans } from './workload.mjs';

const quick = process.argv.includes('--quick');
const PLAN = quick
  ? { sizes: [1_000, 10_000], warmSizes: [10_000], mappingRuns: 5, e2eRuns: 2, overheadSpans: 20_000, overheadRuns: 3, memorySpans: 5_000, flush: { depths: [1, 5], runs: 1 }, v5: { spans: 500, concurrency: [16, 64], runs: 1, delayMs: 100 }, coldStart: { runs: 5 } }
  : { sizes: [1_000, 10_000, 100_000], warmSizes: [10_000], mappingRuns: 7, e2eRuns: 3, overheadSpans: 100_000, overheadRuns: 9, memorySpans: 20_000, flush: { depths: [1, 3, 5], runs: 3 }, v5: { spans: 1_000, concurrency: [8, 16, 32, 64], runs: 3, delayMs: 100 }, coldStart: { runs: 21 } };
const WORKER = new URL('./worker.mjs', import.meta.url).pathname;
const SINK = new URL('./sink.mjs', import.meta.url).pathname;

function recordSpans(count) {
  const finished = [];
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench' }),
    spanProcessors: [{ onStart() {}, onEnd: (span) => finished.push(span), forceFlush: async () => {}, shutdown: async () => {} }],
  });
  makeSpans(provider.getTracer('bench'), count);
  return finished;
}

/**
 * 1. ReadableSpan → LogRequest, and mapping plus serialization (to the UTF-8 bytes that are sent)
 * against a bare JSON.stringify of the same payloads, and against what the OTLP HTTP exporter does
 * with the same spans (its JSON serializer: an object tree per span, stringified, as UTF-8). Timed
 * a thousand spans at a time, as the exporter works: it never holds more than an export's logs as
 * objects.
 */
function benchMapping(size) {
  const spans = recordSpans(size);
  const options = { project: 'bench', source: undefined, captureContent: true };
  const mapOnly = [];
  const mapAndSerialize = [];
  const stringifyOnly = [];
  const otlpSerialize = [];
  // One untimed pass first: these are steady-state figures (the end-to-end runs show a cold start).
  for (const span of spans.slice(0, 2_000)) {
    const { log } = mapSpan(span, options);
    if (!log) continue;
    JSON.stringify(log);
    encodeLog(log);
  }
  JsonTraceSerializer.serializeRequest(spans.slice(0, 2_000));
  for (let run = 0; run < PLAN.mappingRuns; run++) {
    const times = { map: 0, both: 0, stringify: 0, otlp: 0 };
    for (let from = 0; from < spans.length; from += 1_000) {
      const chunk = spans.slice(from, from + 1_000);
      let started = performance.now();
      const logs = chunk.map((span) => mapSpan(span, options).log).filter(Boolean);
      times.map += performance.now() - started;
      started = performance.now();
      for (const span of chunk) {
        const { log } = mapSpan(span, options);
        if (log) encodeLog(log);
      }
      times.both += performance.now() - started;
      started = performance.now();
      for (const log of logs) JSON.stringify(log);
      times.stringify += performance.now() - started;
      started = performance.now();
      JsonTraceSerializer.serializeRequest(chunk);
      times.otlp += performance.now() - started;
    }
    mapOnly.push(times.map);
    mapAndSerialize.push(times.both);
    stringifyOnly.push(times.stringify);
    otlpSerialize.push(times.otlp);
  }
  const ratios = mapAndSerialize.map((ms, i) => ms / stringifyOnly[i]);
  return {
    spans: size,
    mapSpansPerSecond: stats(mapOnly.map((ms) => (size / ms) * 1000)),
    mapAndSerializeMs: stats(mapAndSerialize),
    stringifyMs: stats(stringifyOnly),
    ratioToStringify: stats(ratios),
    ratioToOtlpSerializer: stats(mapAndSerialize.map((ms, i) => ms / otlpSerialize[i])),
  };
}

/**
 * JS heap allocated per span (sampled by V8's allocation sampler, garbage included) by mapping and
 * serialization, and by the OTLP exporter's serializer on the same spans. The bytes a log is sent
 * as live outside the heap and are counted apart (bytes per span, in 2).
 */
async function benchAllocations(size) {
  const spans = recordSpans(size);
  const options = { project: 'bench', source: undefined, captureContent: true };
  const ours = (chunk) => chunk.forEach((span) => {
    const { log } = mapSpan(span, options);
    if (log) encodeLog(log);
  });
  const otlp = (chunk) => JsonTraceSerializer.serializeRequest(chunk);
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  const perSpan = async (work) => {
    work(spans.slice(0, 1_000));
    await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    for (let from = 0; from < spans.length; from += 1_000) work(spans.slice(from, from + 1_000));
    const { profile } = await session.post('HeapProfiler.stopSampling');
    return profile.samples.reduce((sum, sample) => sum + sample.size, 0) / spans.length;
  };
  const result = { spans: size, oursBytesPerSpan: await perSpan(ours), otlpBytesPerSpan: await perSpan(otlp) };
  session.disconnect();
  return result;
}

function startSink(kind, args = []) {
  return new Promise((resolve, reject) => {
    const child = fork(SINK, [kind, ...args.map(String)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.once('exit', (code) => reject(new Error(`the ${kind} receiver exited (${code}) before it was ready`)));
    const ask = (message, key) =>
      new Promise((answer) => {
        const listener = (reply) => {
          if (key in reply) {
            child.off('message', listener);
            answer(reply[key]);
          }
        };
        child.on('message', listener);
        child.send(message);
      });
    child.once('message', ({ url }) =>
      resolve({
        url,
        count: () => ask('count', 'count'),
        requests: () => ask('requests', 'requests'),
        reset: () => ask('reset', 'reset'),
        stop: () => child.send('exit'),
      }),
    );
  });
}

/** A worker run in a fresh process, with gc() exposed: timed parts start on a collected heap. */
function worker(args) {
  const output = execFileSync(process.execPath, ['--expose-gc', WORKER, ...args.map(String)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(output.trim().split('\n').pop());
}

/**
 * 2. Through a BatchSpanProcessor and over loopback, ours against the OTLP HTTP exporter. `e2e`
 * times a fresh process; `e2e-warm` times the second of two rounds of as many spans in one process,
 * on code V8 has compiled by then (requests are counted for fresh processes only).
 */
async function benchEndToEnd(sinks, sizes, mode = 'e2e') {
  const rounds = mode === 'e2e-warm' ? 2 : 1;
  const results = [];
  for (const size of sizes) {
    const row = { spans: size };
    for (const kind of ['humanloop', 'otlp']) {
      const runs = [];
      for (let run = 0; run < PLAN.e2eRuns; run++) {
        await sinks[kind].reset();
        const result = worker([mode, kind, size, sinks[kind].url]);
        const received = await sinks[kind].count();
        // At least once: a duplicate (a request answered too late and retried) is allowed, a loss is not.
        if (received < rounds * size) throw new Error(`${kind}: the receiver got ${received} of ${rounds * size}`);
        // The OTLP exporter's requests are counted by its receiver; this exporter's by its connection pool.
        const sent = kind === 'otlp' ? await sinks.otlp.requests() : result;
        runs.push({ ...result, ...sent, duplicates: received - rounds * size });
      }
      row[kind] = {
        spansPerSecond: stats(runs.map((r) => (size / r.wallMs) * 1000)),
        cpuMsPer1000Spans: stats(runs.map((r) => (r.cpuMs / size) * 1000)),
        peakRssMb: stats(runs.map((r) => r.maxRssKb / 1024)),
        duplicates: runs.reduce((sum, r) => sum + r.duplicates, 0),
      };
      if (rounds === 1) {
        row[kind].requestsPerExport = stats(runs.map((r) => r.requests / r.exports));
        row[kind].spansPerRequest = stats(runs.map((r) => size / r.requests));
        row[kind].bytesPerSpan = stats(runs.map((r) => r.bytes / size));
      }
    }
    row.throughputRatio = row.humanloop.spansPerSecond.median / row.otlp.spansPerSecond.median;
    row.cpuRatio = row.humanloop.cpuMsPer1000Spans.median / row.otlp.cpuMsPer1000Spans.median;
    results.push(row);
  }
  return results;
}

/**
 * 3. The application's cost of creating and ending LLM spans with the exporter attached, how much of
 * it the BatchSpanProcessor costs on its own (with an exporter that discards), and the same cost
 * with the OTLP HTTP exporter. The variants take turns in each round, so that drift on the machine
 * does not favour one of them.
 */
async function benchOverhead(sinks) {
  const variants = ['none', 'noop', 'humanloop', 'otlp'];
  const times = { none: [], noop: [], humanloop: [], otlp: [] };
  for (let run = 0; run < PLAN.overheadRuns; run++) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(run + i) % variants.length];
      const sink = variant === 'otlp' ? sinks.otlp : sinks.humanloop;
      await sink.reset();
      const { loopMs, exported } = worker(['overhead', variant, PLAN.overheadSpans, sink.url]);
      if (exported !== PLAN.overheadSpans) throw new Error(`overhead ${variant}: ${exported} of ${PLAN.overheadSpans} spans exported`);
      times[variant].push(loopMs);
    }
  }
  const ratio = (a, b) => stats(times[a].map((ms, run) => ms / times[b][run] - 1));
  return {
    spans: PLAN.overheadSpans,
    withoutMs: stats(times.none),
    processorOnlyMs: stats(times.noop),
    withMs: stats(times.humanloop),
    otlpMs: stats(times.otlp),
    overhead: ratio('humanloop', 'none'),
    processorOverhead: ratio('noop', 'none'),
    exporterOverhead: ratio('humanloop', 'noop'),
    otlpOverhead: ratio('otlp', 'none'),
  };
}

/**
 * 6. Humanloop's v5 API takes one log per request, so requests in flight set the pace. End to end
 * as in 2, into the local v5 server answering each request after a delay (as a remote API would),
 * for several `maxConcurrentRequests`.
 */
async function benchV5() {
  const { spans, concurrency, runs, delayMs } = PLAN.v5;
  const sink = await startSink('humanloop-v5', [delayMs]);
  const rows = [];
  try {
    for (const inFlight of concurrency) {
      const results = [];
      for (let run = 0; run < runs; run++) {
        await sink.reset();
        const result = worker(['e2e', 'humanloop', spans, sink.url, JSON.stringify({ api: 'v5', maxConcurrentRequests: inFlight })]);
        const received = await sink.count();
        if (received < spans) throw new Error(`v5 with ${inFlight} in flight: the receiver got ${received} of ${spans}`);
        results.push(result);
      }
      rows.push({
        maxConcurrentRequests: inFlight,
        spansPerSecond: stats(results.map((r) => (spans / r.wallMs) * 1000)),
        cpuMsPer1000Spans: stats(results.map((r) => (r.cpuMs / spans) * 1000)),
        requestsPerSpan: stats(results.map((r) => r.requests / spans)),
      });
    }
  } finally {
    sink.stop();
  }
  return { spans, delayMs, rows };
}

/** 4. Heap held per log waiting for its parent, and per log kept through an outage. */
function benchMemory() {
  return {
    waiting: worker(['memory', 'waiting', PLAN.memorySpans]),
    buffered: worker(['memory', 'buffered', PLAN.memorySpans]),
  };
}

function machine() {
  const cpus = os.cpus();
  return { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, os: `${os.type()} ${os.release()}` };
}

function print(report) {
  const { machine: m } = report;
  console.log(`\nhumanloop-otel-exporter benchmark${quick ? ' (quick)' : ''}: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GiB, Node ${m.node}`);
  console.log('Figures are medians (min–max) over repeated runs.\n');
  console.log('1. Mapping (ReadableSpan → LogRequest), in process');
  for (const r of report.mapping) {
    console.log(`   ${fmt(r.spans).padStart(7)} spans: ${spread(r.mapSpansPerSecond)} spans/s; map+serialize = ${spread(r.ratioToStringify, 2, 'x')} bare JSON.stringify, ${spread(r.ratioToOtlpSerializer, 2, 'x')} the OTLP exporter's JSON serializer`);
  }
  const a = report.allocations;
  console.log(`   JS heap allocated per span (${fmt(a.spans)} spans, sampled): map+serialize ${fmt(a.oursBytesPerSpan)} bytes, the OTLP exporter's serializer ${fmt(a.otlpBytesPerSpan)} bytes`);
  console.log('\n2. End to end: BatchSpanProcessor → exporter → receiver over 127.0.0.1 (fresh process per run)');
  for (const r of report.endToEnd) {
    for (const kind of ['humanloop', 'otlp']) {
      const k = r[kind];
      console.log(`   ${fmt(r.spans).padStart(7)} spans ${kind.padEnd(9)}: ${spread(k.spansPerSecond)} spans/s, CPU ${spread(k.cpuMsPer1000Spans, 1)} ms/1000 spans, peak RSS ${spread(k.peakRssMb, 0, ' MB')}`);
      console.log(`   ${' '.repeat(23)}${fmt(k.requestsPerExport.median, 1)} requests per export, ${fmt(k.spansPerRequest.median)} spans per request, ${fmt(k.bytesPerSpan.median)} bytes per span`);
    }
    console.log(`   ${' '.repeat(13)}throughput humanloop / OTLP HTTP = ${fmt(r.throughputRatio, 2)}x; CPU = ${fmt(r.cpuRatio, 2)}x`);
  }
  console.log('   The same, timed after a first round of as many spans in the same process (code compiled by V8):');
  for (const r of report.endToEndWarm) {
    for (const kind of ['humanloop', 'otlp']) {
      const k = r[kind];
      console.log(`   ${fmt(r.spans).padStart(7)} spans ${kind.padEnd(9)}: ${spread(k.spansPerSecond)} spans/s, CPU ${spread(k.cpuMsPer1000Spans, 1)} ms/1000 spans`);
    }
    console.log(`   ${' '.repeat(13)}throughput humanloop / OTLP HTTP = ${fmt(r.throughputRatio, 2)}x; CPU = ${fmt(r.cpuRatio, 2)}x`);
  }
  const o = report.overhead;
  console.log(`\n3. Application overhead: time spent creating and ending ${fmt(o.spans)} LLM spans, a trace at a time, the exporter working in between`);
  const percent = (s) => spread({ median: s.median * 100, min: s.min * 100, max: s.max * 100 }, 1, '%');
  console.log(`   without a processor ${spread(o.withoutMs, 0, ' ms')}; with BatchSpanProcessor + an exporter that discards ${spread(o.processorOnlyMs, 0, ' ms')}; with BatchSpanProcessor + this exporter ${spread(o.withMs, 0, ' ms')}`);
  console.log(`   with BatchSpanProcessor + OTLP HTTP exporter ${spread(o.otlpMs, 0, ' ms')}`);
  console.log(`   overhead ${percent(o.overhead)}: the BatchSpanProcessor's ${percent(o.processorOverhead)}, this exporter's on top ${percent(o.exporterOverhead)} (each the median of its own per-run ratios)`);
  console.log(`   overhead with the OTLP HTTP exporter instead ${percent(o.otlpOverhead)}`);
  const mem = report.memory;
  console.log('\n4. Memory held by the exporter');
  console.log(`   per log waiting for its parent: ${fmt(mem.waiting.bytesPerLog)} bytes (${fmt(mem.waiting.held)} logs)`);
  console.log(`   per log kept in the outage buffer: ${fmt(mem.buffered.bytesPerLog)} bytes (${fmt(mem.buffered.held)} logs)`);
  console.log('');
  printFlush(report.flush);
  const v5 = report.v5;
  console.log(`\n6. v5 API, a log per request: ${fmt(v5.spans)} spans end to end, each request answered after ${v5.delayMs} ms`);
  for (const r of v5.rows) {
    console.log(`   maxConcurrentRequests ${String(r.maxConcurrentRequests).padStart(2)}: ${spread(r.spansPerSecond)} spans/s, CPU ${spread(r.cpuMsPer1000Spans, 1)} ms/1000 spans, ${fmt(r.requestsPerSpan.median, 2)} requests per span`);
  }
  console.log('');
  printColdStart(report.coldStart);
  console.log('');
  printInstallSize(report.installSize);
}

const report = { quick, machine: machine(), plan: PLAN, mapping: [], allocations: undefined, endToEnd: [], endToEndWarm: [], overhead: undefined, memory: undefined, flush: undefined, v5: undefined, coldStart: undefined, installSize: undefined };
for (const size of PLAN.sizes) report.mapping.push(benchMapping(size));
report.allocations = await benchAllocations(10_000);
const sinks = { humanloop: await startSink('humanloop-minimal'), otlp: await startSink('otlp') };
try {
  report.endToEnd = await benchEndToEnd(sinks, PLAN.sizes);
  report.endToEndWarm = await benchEndToEnd(sinks, PLAN.warmSizes, 'e2e-warm');
  report.overhead = await benchOverhead(sinks);
} finally {
  sinks.humanloop.stop();
  sinks.otlp.stop();
}
report.memory = benchMemory();
report.flush = await benchFlush(PLAN.flush);
report.v5 = await benchV5();
report.coldStart = benchColdStart(PLAN.coldStart);
report.installSize = measureInstallSize();
print(report);
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/bench.json', `${JSON.stringify(report, null, 2)}\n`);
console.log('\nWritten to bench-results/bench.json');
