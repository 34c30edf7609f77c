import { generateText } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { withHumanloop } from '../../src/index.js';
import { contextsBySpanName, HELLO_MODEL, startService, useAsyncContext } from '../helpers/context-rig.js';
import { DIALECTS } from '../helpers/harness.js';
import { testScope } from '../helpers/scope.js';

/**
 * A real AI SDK 6 run (`generateText` on the SDK's own mock model, with telemetry through a
 * NodeTracerProvider) inside withHumanloop: the run's log and its model call's log carry the
 * request's user and session, over the ones the call's telemetry metadata names.
 */

const scope = testScope();
useAsyncContext();

const model = () => new MockLanguageModelV3(HELLO_MODEL);

describe.each(DIALECTS)('the AI SDK inside withHumanloop (%s)', (api) => {
  it('gives the run and its model call the request’s user and session, over its telemetry metadata', async () => {
    const server = await scope.server({ api });
    const { tracer, flush } = startService(scope, server, api, 'ai-app');

    const { text } = await withHumanloop({ user: 'context-user', sessionId: 'context-session', metadata: { route: '/chat' } }, () =>
      generateText({
        model: model(),
        prompt: 'Say hello',
        experimental_telemetry: { isEnabled: true, tracer, metadata: { userId: 'sdk-user', sessionId: 'sdk-session' } },
      }),
    );
    expect(text).toBe('Hello!');
    await flush();

    const logs = contextsBySpanName(server, api);
    expect([...logs.keys()].sort()).toEqual(['ai.generateText', 'ai.generateText.doGenerate']);
    for (const [name, log] of logs) {
      expect(log.user, name).toBe('context-user');
      expect(log.metadata, name).toMatchObject({ session_id: 'context-session', route: '/chat', sessionId: 'sdk-session' });
      if (api === 'v4') expect(log.session, name).toBe('context-session');
    }
  });
});
