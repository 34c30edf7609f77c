import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll } from 'vitest';
import { HumanloopSpanProcessor, type HumanloopSpanProcessorOptions } from '../../src/index.js';
import type { TestLogServer } from 'humanloop-log-server/testing';
import { FakeClock } from './fake-clock.js';
import { API_KEY, storedLogs, type Dialect } from './harness.js';
import type { testScope } from './scope.js';

/**
 * Real tracer providers with the Humanloop processor, under the AsyncLocalStorage context manager
 * (registered for the file, as an application registers it), and the request context of their
 * logs read the same way in both APIs.
 */

/** Registers an AsyncLocalStorage context manager for the test file. */
export function useAsyncContext(): void {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(() => {
    context.disable();
  });
}

export interface Service {
  tracer: Tracer;
  /** Sends everything the service's processor holds. */
  flush: () => Promise<void>;
}

/** A NodeTracerProvider (not registered globally) named `name`, logging to `server` in `api`. */
export function startService(
  scope: ReturnType<typeof testScope>,
  server: TestLogServer,
  api: Dialect,
  name: string,
  options: HumanloopSpanProcessorOptions = {},
): Service {
  const processor = new HumanloopSpanProcessor(
    { api, apiKey: API_KEY, baseUrl: server.url, batch: { scheduledDelayMillis: 10 }, ...options },
    { clock: new FakeClock(), random: () => 0.5, env: {} },
  );
  const provider = new NodeTracerProvider({ resource: resourceFromAttributes({ 'service.name': name }), spanProcessors: [processor] });
  scope.defer(() => provider.shutdown());
  return { tracer: provider.getTracer(name), flush: () => provider.forceFlush() };
}

/** A stored log's request context, read the same way in v4 and v5. */
export interface LogContext {
  /** v4 `metadata.user_id`; v5 `user`. */
  user: unknown;
  /** v4 only: `session_reference_id`. */
  session: unknown;
  environment: unknown;
  /** v5 only. */
  path: unknown;
  metadata: Record<string, unknown>;
}

/** The stored logs of `api`, by the name of the span each was made from. */
export function contextsBySpanName(server: TestLogServer, api: Dialect): Map<string, LogContext> {
  const logs = new Map<string, LogContext>();
  for (const { log } of storedLogs(server, api)) {
    const metadata = (log.metadata ?? {}) as Record<string, unknown>;
    const name = String((metadata.otel as { span_name?: unknown } | undefined)?.span_name);
    logs.set(name, {
      user: api === 'v4' ? metadata.user_id : log.user,
      session: log.session_reference_id,
      environment: log.environment,
      path: log.path,
      metadata,
    });
  }
  return logs;
}

/**
 * What the AI SDK's mock language model (V3 in `ai` 6, V4 in `ai` 7) answers: "Hello!", 9 tokens
 * in and 2 out, as an OpenAI chat model.
 */
export const HELLO_MODEL = {
  provider: 'openai.chat',
  modelId: 'gpt-4o-mini',
  doGenerate: {
    content: [{ type: 'text' as const, text: 'Hello!' }],
    finishReason: { unified: 'stop' as const, raw: 'stop' },
    usage: {
      inputTokens: { total: 9, noCache: 9, cacheRead: 0, cacheWrite: 0 },
      outputTokens: { total: 2, text: 2, reasoning: 0 },
    },
    warnings: [],
  },
};
