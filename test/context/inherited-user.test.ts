import { context, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { contextsBySpanName, startService, useAsyncContext } from '../helpers/context-rig.js';
import { DIALECTS } from '../helpers/harness.js';
import { testScope } from '../helpers/scope.js';

/**
 * A run whose top span names its user (the AI SDK 7's runtime context, a GenAI agent's `user.id`)
 * gives that user to the logs of the spans under it that name none: a model call or tool run
 * inside an agent run is that user's too. A span that names its own user keeps it.
 */

const scope = testScope();
useAsyncContext();

const CHAT = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini' };
const TOOL = { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup' };
const AGENT = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support' };

describe.each(DIALECTS)('a user named by a span at the top of a run (%s)', (api) => {
  it.each([
    ['the AI SDK 7 runtime context', { 'ai.settings.context.userId': 'user-7' }, 'user-7'],
    ['the GenAI user.id', { 'user.id': 'user-g' }, 'user-g'],
  ])('reaches the logs under it that name none: %s', async (_name, userAttributes, user) => {
    const server = await scope.server({ api });
    const { tracer, flush } = startService(scope, server, api, 'agent-app');

    tracer.startActiveSpan('invoke_agent support', { attributes: { ...AGENT, ...userAttributes } }, (agent) => {
      tracer.startActiveSpan('step 1', {}, (step) => {
        tracer.startSpan('chat gpt-4o-mini', { attributes: CHAT }).end();
        tracer.startSpan('execute_tool lookup', { attributes: TOOL }).end();
        tracer.startSpan('chat gpt-4o-mini (own user)', { attributes: { ...CHAT, 'user.id': 'someone-else' } }).end();
        step.end();
      });
      agent.end();
    });
    await flush();

    const logs = contextsBySpanName(server, api);
    expect(logs.get('invoke_agent support')?.user).toBe(user);
    expect(logs.get('chat gpt-4o-mini')?.user).toBe(user);
    expect(logs.get('execute_tool lookup')?.user).toBe(user);
    expect(logs.get('chat gpt-4o-mini (own user)')?.user).toBe('someone-else');
  });

  it('does not reach a span started outside the run', async () => {
    const server = await scope.server({ api });
    const { tracer, flush } = startService(scope, server, api, 'agent-app');
    const agent = tracer.startSpan('invoke_agent support', { attributes: { ...AGENT, 'user.id': 'user-g' } });
    context.with(trace.setSpan(context.active(), agent), () => tracer.startSpan('chat gpt-4o-mini', { attributes: CHAT }).end());
    agent.end();
    tracer.startSpan('chat later', { attributes: CHAT }).end();
    await flush();

    const logs = contextsBySpanName(server, api);
    expect(logs.get('chat gpt-4o-mini')?.user).toBe('user-g');
    expect(logs.get('chat later')?.user).toBeUndefined();
  });
});
