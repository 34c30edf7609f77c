// Arize Phoenix's register() with its default processor (to the sink) and ours.
import { getDefaultSpanProcessor, register } from '@arizeai/phoenix-otel';
import { HumanloopSpanProcessor } from 'humanloop-otel-exporter';
import { check, llmSpan } from './harness.mjs';

await check(async ({ humanloop, sink }) => {
  const provider = register({
    projectName: 'install-matrix',
    spanProcessors: [getDefaultSpanProcessor({ url: sink.url, batch: false }), new HumanloopSpanProcessor(humanloop)],
  });
  const spanId = llmSpan(provider.getTracer('install-matrix'));
  await provider.shutdown();
  return [spanId];
});
