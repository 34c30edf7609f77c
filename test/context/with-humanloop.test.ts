import { context, type Attributes, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { describe, expect, it, vi } from 'vitest';
import { withHumanloop } from '../../src/index.js';
import { contextsBySpanName, startService, useAsyncContext, type LogContext } from '../helpers/context-rig.js';
import { captureStderr, DIALECTS } from '../helpers/harness.js';
import { testScope } from '../helpers/scope.js';
import { CHAT_ATTRIBUTES } from '../helpers/spans.js';

/**
 * withHumanloop: the values it is given reach the logs of every span started inside its function,
 * through the OpenTelemetry context (a real NodeTracerProvider under the AsyncLocalStorage context
 * manager), in both APIs, as the local log server stores them.
 */

const scope = testScope();
useAsyncContext();

const AGENT: Attributes = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner', 'gen_ai.request.model': 'gpt-4o' };
const TOOL: Attributes = { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup' };

const chat = (tracer: Tracer, name: string, attributes: Attributes = {}) =>
  tracer.startSpan(name, { attributes: { ...CHAT_ATTRIBUTES, ...attributes } }).end();
const timer = (millis = 1) => new Promise((resolve) => setTimeout(resolve, millis));

function get(logs: Map<string, LogContext>, name: string): LogContext {
  const log = logs.get(name);
  if (!log) throw new Error(`no log of span ${name}; logs of: ${[...logs.keys()].join(', ')}`);
  return log;
}

describe.each(DIALECTS)('withHumanloop (%s)', (api) => {
  it('gives every log of a span started inside it, across awaits, timers and promise chains, its user, session, metadata, environment and folder', async () => {
    const server = await scope.server({ api });
    const { tracer, flush } = startService(scope, server, api, 'shop', { environment: 'production' });
    const values = { user: 'user-7', sessionId: 'session-42', metadata: { plan: 'pro', seats: 3 }, environment: 'staging', path: 'support/answers' };

    await withHumanloop(values, async () => {
      await tracer.startActiveSpan('invoke_agent planner', { attributes: AGENT }, async (agent) => {
        await Promise.resolve();
        await timer();
        chat(tracer, 'chat after a timer');
        await new Promise<void>((resolve) =>
          setTimeout(() => {
            tracer.startSpan('execute_tool lookup', { attributes: TOOL }).end();
            resolve();
          }, 1),
        );
        await Promise.resolve().then(() => chat(tracer, 'chat in a then'));
        agent.end();
      });
    });
    chat(tracer, 'chat outside');
    await flush();

    const logs = contextsBySpanName(server, api);
    for (const name of ['invoke_agent planner', 'chat after a timer', 'execute_tool lookup', 'chat in a then']) {
      const log = get(logs, name);
      expect(log.user, name).toBe('user-7');
      expect(log.environment, name).toBe('staging');
      expect(log.metadata, name).toMatchObject({ session_id: 'session-42', plan: 'pro', seats: 3, user_id: 'user-7' });
      if (api === 'v4') expect(log.session, name).toBe('session-42');
    }
    if (api === 'v5') {
      expect(get(logs, 'invoke_agent planner').path).toBe('support/answers/planner');
      expect(get(logs, 'chat in a then').path).toBe('support/answers/gpt-4o');
      expect(get(logs, 'execute_tool lookup').path).toBe('support/answers/lookup');
    }

    const outside = get(logs, 'chat outside');
    expect(outside.user).toBeUndefined();
    expect(outside.environment).toBe('production');
    expect(outside.metadata).not.toHaveProperty('session_id');
    expect(outside.metadata).not.toHaveProperty('plan');
    if (api === 'v4') expect(outside.session).not.toBe('session-42');
    if (api === 'v5') expect(outside.path).toBe('shop/gpt-4o');
  });

  it('reaches a span started by a timer that fires after its function has returned', async () => {
    const server = await scope.server({ api });
    const { tracer, flush } = startService(scope, server, api, 'shop');
    let fired!: Promise<void>;
    const returned = withHumanloop({ user: 'late-user', sessionId: 'late-session' }, () => {
      fired = new Promise((resolve) => setTimeout(() => resolve(chat(tracer, 'chat from a timer')), 5));
      return 'returned';
    });
    expect(returned).toBe('returned');
    await fired;
    await flush();

    const log = get(contextsBySpanName(server, api), 'chat from a timer');
    expect(log.user).toBe('late-user');
    expect(log.metadata.session_id).toBe('late-session');
  });

  it('nested: the inner value wins field by field, metadata merges by key, and the outer values come back after', async () => {
    const server = await scope.server({ api });
    const { tracer, flush } = startService(scope, server, api, 'shop');

    await withHumanloop({ user: 'outer-user', sessionId: 'outer-session', metadata: { tenant: 'acme', tier: 'free' } }, async () => {
      chat(tracer, 'chat outer');
      await withHumanloop({ user: 'inner-user', metadata: { tier: 'pro', feature: 'beta' }, environment: 'canary' }, async () => {
        await timer();
        chat(tracer, 'chat inner');
      });
      chat(tracer, 'chat outer again');
    });
    await flush();

    const logs = contextsBySpanName(server, api);
    const inner = get(logs, 'chat inner');
    expect(inner.user).toBe('inner-user');
    expect(inner.environment).toBe('canary');
    expect(inner.metadata).toMatchObject({ session_id: 'outer-session', tenant: 'acme', tier: 'pro', feature: 'beta' });
    for (const name of ['chat outer', 'chat outer again']) {
      const outer = get(logs, name);
      expect(outer.user, name).toBe('outer-user');
      expect(outer.environment, name).toBeUndefined();
      expect(outer.metadata, name).toMatchObject({ session_id: 'outer-session', tenant: 'acme', tier: 'free' });
      expect(outer.metadata, name).not.toHaveProperty('feature');
    }
  });

  it('keeps a humanloop attribute the span started with over the context', async () => {
    const server = await scope.server({ api });
    const { tracer, flush } = startService(scope, server, api, 'shop');
    withHumanloop({ user: 'context-user', sessionId: 'context-session' }, () => {
      chat(tracer, 'chat with its own user', { 'humanloop.user_id': 'own-user' });
    });
    await flush();

    const log = get(contextsBySpanName(server, api), 'chat with its own user');
    expect(log.user).toBe('own-user');
    expect(log.metadata.session_id).toBe('context-session');
  });
});

describe('withHumanloop returns what its function returns', () => {
  it('a value, a promise, or the function’s throw', async () => {
    expect(withHumanloop({ user: 'u' }, () => 42)).toBe(42);
    await expect(withHumanloop({ user: 'u' }, async () => (await timer(), 'later'))).resolves.toBe('later');
    expect(() =>
      withHumanloop({ user: 'u' }, () => {
        throw new RangeError('from fn');
      }),
    ).toThrow(RangeError);
    await expect(withHumanloop({}, () => Promise.reject(new TypeError('rejected')))).rejects.toThrow(TypeError);
  });
});

describe('withHumanloop without a context manager', () => {
  it('runs its function, and says once on stderr (no value quoted) that its values reach no span', () => {
    context.disable();
    const stderr = captureStderr();
    try {
      expect(withHumanloop({ user: 'private-user' }, () => 'ran')).toBe('ran');
      expect(withHumanloop({ user: 'private-user' }, () => 'again')).toBe('again');
    } finally {
      vi.restoreAllMocks();
      context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    }
    expect(stderr.filter((line) => line.includes('no OpenTelemetry context manager'))).toHaveLength(1);
    expect(stderr.join('')).not.toContain('private-user');
  });
});
