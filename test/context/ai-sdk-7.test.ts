import { describe, expect, it } from 'vitest';
import { contextsBySpanName, HELLO_MODEL, startService, useAsyncContext } from '../helpers/context-rig.js';
import { DIALECTS } from '../helpers/harness.js';
import { testScope } from '../helpers/scope.js';

/**
 * A real AI SDK 7 run (`ai` 7 through `@ai-sdk/otel`, the SDK's own mock model) with a runtime
 * context: every log of the run, the model call's too, is the context's user's and in its session.
 * The AI SDK 7 needs Node 22, so on Node 20 this file is skipped (CI runs it on Node 22 and 24).
 */

const scope = testScope();
useAsyncContext();
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

describe.runIf(NODE_MAJOR >= 22).each(DIALECTS)('an AI SDK 7 run with a runtime context (%s)', (api) => {
  it('gives every log of the run the context’s user and session', async () => {
    const ai = await import('ai-v7');
    const { MockLanguageModelV4 } = await import('ai-v7/test');
    const { OpenTelemetry } = await import('@ai-sdk/otel');
    const server = await scope.server({ api });
    const { tracer, flush } = startService(scope, server, api, 'ai7-app');
    ai.registerTelemetry(new OpenTelemetry({ tracer, runtimeContext: true }));

    const model = new MockLanguageModelV4(HELLO_MODEL);
    const { text } = await ai.generateText({
      model,
      prompt: 'Say hello',
      runtimeContext: { sessionId: 'session-42', userId: 'user-7' },
      telemetry: { functionId: 'greeter', includeRuntimeContext: { sessionId: true, userId: true } },
    });
    expect(text).toBe('Hello!');
    await flush();

    const logs = contextsBySpanName(server, api);
    expect(logs.size).toBeGreaterThanOrEqual(2);
    for (const [name, log] of logs) {
      expect(log.user, name).toBe('user-7');
      if (api === 'v4') expect(log.session, name).toBe('session-42');
    }
  });
});
