// Langfuse's span processor and ours in one NodeSDK, as Langfuse's docs set it up.
import { trace } from '@opentelemetry/api';
import { LangfuseSpanProcessor } from '@langfuse/otel';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { HumanloopSpanProcessor } from 'humanloop-otel-exporter';
import { check, llmSpan } from './harness.mjs';

await check(async ({ humanloop, sink }) => {
  const sdk = new NodeSDK({
    spanProcessors: [
      new LangfuseSpanProcessor({ publicKey: 'pk-lf-matrix', secretKey: 'sk-lf-matrix', baseUrl: sink.url }),
      new HumanloopSpanProcessor(humanloop),
    ],
  });
  sdk.start();
  const spanId = llmSpan(trace.getTracer('install-matrix'));
  await sdk.shutdown();
  return [spanId];
});
