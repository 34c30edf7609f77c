// instrumentation.ts at the root of a Next.js app (next 15+): Next.js calls register() once when a
// server instance starts. Route handlers then flush with after() (see ../next-after.mjs, which runs
// the same pattern offline). This file is type-checked with the project; it needs Next.js to run.
import type { HumanloopSpanProcessor } from 'humanloop-otel-exporter';

declare global {
  // Set in register(), flushed by route handlers with after(() => humanloop?.forceFlush()).
  var humanloop: HumanloopSpanProcessor | undefined;
}

export async function register(): Promise<void> {
  // The edge runtime has no Node.js APIs: trace the Node.js runtime only.
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
  const { HumanloopSpanProcessor } = await import('humanloop-otel-exporter');
  // HUMANLOOP_API_KEY comes from the environment (.env.local, or the project's settings on Vercel).
  const processor = new HumanloopSpanProcessor({ project: 'my-next-app' });
  new NodeTracerProvider({ spanProcessors: [processor] }).register();
  globalThis.humanloop = processor;
}
