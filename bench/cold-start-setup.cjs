// What each cold-start variant loads and builds: an application's tracing set up as a serverless
// function does it on every cold start. Shared by the ESM and CommonJS children, which load the
// modules each in their own way (bench/cold-start.mjs runs them).

/** The modules each variant loads, in order. `bare` loads nothing: it is node on its own. */
const MODULES = {
  bare: [],
  provider: ['@opentelemetry/api', '@opentelemetry/context-async-hooks', '@opentelemetry/sdk-trace-base'],
  humanloop: ['@opentelemetry/api', '@opentelemetry/context-async-hooks', '@opentelemetry/sdk-trace-base', 'humanloop-otel-exporter'],
  otlp: ['@opentelemetry/api', '@opentelemetry/context-async-hooks', '@opentelemetry/sdk-trace-base', '@opentelemetry/exporter-trace-otlp-http'],
};

/** The span processor each variant puts in the provider (nothing is sent: no span is made). */
function processorFor(variant, modules) {
  if (variant === 'humanloop') {
    const { HumanloopSpanProcessor } = modules['humanloop-otel-exporter'];
    return new HumanloopSpanProcessor({ apiKey: 'cold-start', baseUrl: 'http://127.0.0.1:9/v4', project: 'cold-start' });
  }
  if (variant === 'otlp') {
    const { OTLPTraceExporter } = modules['@opentelemetry/exporter-trace-otlp-http'];
    const { BatchSpanProcessor } = modules['@opentelemetry/sdk-trace-base'];
    return new BatchSpanProcessor(new OTLPTraceExporter({ url: 'http://127.0.0.1:9/v1/traces' }));
  }
  return undefined;
}

/** Builds the variant's provider with its processor and registers it globally, as an application does. */
function build(variant, modules) {
  if (variant === 'bare') return;
  const { context, trace } = modules['@opentelemetry/api'];
  const { AsyncLocalStorageContextManager } = modules['@opentelemetry/context-async-hooks'];
  const { BasicTracerProvider } = modules['@opentelemetry/sdk-trace-base'];
  const processor = processorFor(variant, modules);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: processor ? [processor] : [] }));
}

/**
 * Prints the time since the process started, the CPU time it has used (all its threads: V8
 * compiles and collects on threads of its own) and its memory, once everything is built.
 */
function report() {
  const { rss, heapUsed } = process.memoryUsage();
  const { user, system } = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ ms: performance.now(), cpuMs: (user + system) / 1000, rss, heapUsed })}\n`);
}

module.exports = { MODULES, build, report };
