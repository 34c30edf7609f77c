// @vercel/otel's registerOTel with our processor beside its own; flushed as the README's serverless section says.
import { trace } from '@opentelemetry/api';
import { registerOTel } from '@vercel/otel';
import { HumanloopSpanProcessor } from 'humanloop-otel-exporter';
import { check, llmSpan } from './harness.mjs';

await check(async ({ humanloop }) => {
  const processor = new HumanloopSpanProcessor(humanloop);
  registerOTel({ serviceName: 'install-matrix', spanProcessors: ['auto', processor] });
  const spanId = llmSpan(trace.getTracer('install-matrix'));
  await processor.forceFlush();
  await processor.shutdown();
  return [spanId];
});
