import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { describe, expect, it } from 'vitest';
import { HumanloopContextSpanProcessor, withHumanloop, type SpanProcessor } from '../../src/index.js';
import { contextsBySpanName, useAsyncContext } from '../helpers/context-rig.js';
import { DIALECTS, type Dialect } from '../helpers/harness.js';
import { testScope } from '../helpers/scope.js';
import { CHAT_ATTRIBUTES } from '../helpers/spans.js';

/**
 * An application that sends through HumanloopSpanExporter in a BatchSpanProcessor (no
 * HumanloopSpanProcessor) adds HumanloopContextSpanProcessor to the same provider: it writes the
 * request context on spans as they start, and the exporter's logs carry it.
 */

const scope = testScope();
useAsyncContext();

async function chatInside(api: Dialect, processors: (exporterProcessor: SpanProcessor) => SpanProcessor[]) {
  const server = await scope.server({ api });
  const exporter = scope.exporter(server.url, { api });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'batching-app' }),
    spanProcessors: processors(new BatchSpanProcessor(exporter, { scheduledDelayMillis: 10 })),
  });
  scope.defer(() => provider.shutdown());
  const tracer = provider.getTracer('app');
  await withHumanloop({ user: 'user-5', sessionId: 'session-5', environment: 'staging' }, async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    tracer.startSpan('chat', { attributes: CHAT_ATTRIBUTES }).end();
  });
  await provider.forceFlush();
  return contextsBySpanName(server, api).get('chat');
}

describe.each(DIALECTS)('HumanloopContextSpanProcessor beside a BatchSpanProcessor (%s)', (api) => {
  it('gives the exporter’s logs the request context', async () => {
    const log = await chatInside(api, (batch) => [new HumanloopContextSpanProcessor(), batch]);
    expect(log?.user).toBe('user-5');
    expect(log?.environment).toBe('staging');
    expect(log?.metadata.session_id).toBe('session-5');
    if (api === 'v4') expect(log?.session).toBe('session-5');
  });

  it('is what does it: without it the exporter alone sees no request context', async () => {
    const log = await chatInside(api, (batch) => [batch]);
    expect(log).toBeDefined();
    expect(log?.user).toBeUndefined();
    expect(log?.metadata).not.toHaveProperty('session_id');
  });
});
