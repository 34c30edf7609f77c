import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { context, propagation, trace, type Tracer } from '@opentelemetry/api';
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import * as callbackManager from '@langchain/core/callbacks/manager';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError, registerHumanloop, withHumanloop, type InstrumentationLike, type RegisterHumanloopOptions } from '../src/index.js';
import type { TestLogServer } from 'humanloop-log-server/testing';
import { API_KEY, captureDiag } from './helpers/harness.js';
import { testScope } from './helpers/scope.js';
import { CHAT_ATTRIBUTES } from './helpers/spans.js';

/**
 * registerHumanloop, the one-call set-up, with the SDK 2 packages of this repository's
 * devDependencies (SDK 3 is checked on Node 22 by test/sdk3/check.mjs): in this process for what
 * it registers, and in a process of its own for what it does when that process stops.
 */

const scope = testScope();

afterEach(() => {
  trace.disable();
  context.disable();
  propagation.disable();
});

function register(server: TestLogServer, options: RegisterHumanloopOptions = {}) {
  const registration = registerHumanloop({ apiKey: API_KEY, baseUrl: server.url, shutdownOnExit: false, ...options });
  scope.defer(() => registration.shutdown());
  return registration;
}

/** An agent around two LLM calls, an await apart: only a context manager keeps them nested. */
async function agentRun(tracer: Tracer): Promise<void> {
  const agent = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner', 'gen_ai.request.model': 'gpt-4o' };
  await tracer.startActiveSpan('invoke_agent planner', { attributes: agent }, async (span) => {
    for (const name of ['chat first', 'chat second']) {
      await new Promise((done) => setImmediate(done));
      tracer.startSpan(name, { attributes: CHAT_ATTRIBUTES }).end();
    }
    span.end();
  });
}

describe('registerHumanloop', () => {
  it('registers a NodeTracerProvider with the processor and a context manager: spans of the global tracer arrive nested', async () => {
    const server = await scope.server();
    const { provider, processor, shutdown } = register(server, { project: 'one-call' });
    expect(provider.constructor.name).toBe('NodeTracerProvider');

    await agentRun(trace.getTracer('app'));
    await shutdown();

    const logs = server.logs();
    const agent = logs.find((log) => log.config.type === 'agent');
    expect(logs.map((log) => log.config.type).sort()).toEqual(['agent', 'model', 'model']);
    expect(logs.filter((log) => log.parent_reference_id === agent?.reference_id)).toHaveLength(2);
    expect(logs.every((log) => log.project === 'one-call')).toBe(true);
    expect(processor.exporter.stats().spans.delivered).toBe(3);
  });

  it('puts spanProcessors and the resource on the same provider', async () => {
    const server = await scope.server();
    const beside = new InMemorySpanExporter();
    const { forceFlush } = register(server, {
      spanProcessors: [new SimpleSpanProcessor(beside)],
      resource: resourceFromAttributes({ 'service.name': 'support-bot' }),
    });

    trace.getTracer('app').startSpan('chat', { attributes: CHAT_ATTRIBUTES }).end();
    await forceFlush();

    expect(beside.getFinishedSpans().map((span) => span.name)).toEqual(['chat']);
    expect(server.logs()).toMatchObject([{ project: 'support-bot', source: 'support-bot' }]);
  });

  it('traces the instrumentations through its provider even when another provider is already global, and says so', async () => {
    const server = await scope.server();
    new NodeTracerProvider().register();
    const diag = captureDiag();
    scope.defer(() => diag.restore());
    const instrumentation = new LangChainInstrumentation();
    scope.defer(() => instrumentation.disable());
    const { shutdown } = register(server, { instrumentations: [instrumentation] });
    instrumentation.manuallyInstrument(callbackManager);

    await new FakeListChatModel({ responses: ['Paris is sunny.'] }).invoke('Weather in Paris?');
    await shutdown();

    expect(diag.messages.filter((message) => message.includes('already registered globally'))).toHaveLength(1);
    expect(server.logs()).toMatchObject([{ output: 'Paris is sunny.' }]);
  });

  it('refuses what is not an instrumentation, before registering anything', async () => {
    const server = await scope.server();
    const notOne = { enable: () => undefined } as unknown as InstrumentationLike;
    expect(() => register(server, { instrumentations: [[notOne]] })).toThrow(ConfigurationError);
    expect(() => register(server, { instrumentations: [[notOne]] })).toThrow('instrumentations[0] is not an instrumentation');
    expect(trace.getTracerProvider().getTracer('x').startSpan('x').isRecording()).toBe(false);
  });
  it('passes the baggage option to its processor: a caller’s baggage, propagated as registered, reaches the logs with withHumanloop’s values', async () => {
    const server = await scope.server();
    const { shutdown } = register(server, { baggage: ['session.id'] });
    // What a calling service sent, extracted with the propagator registerHumanloop registered.
    const incoming = propagation.extract(context.active(), { baggage: 'session.id=caller-session,user.id=caller-user' });

    await context.with(incoming, () =>
      withHumanloop({ user: 'own-user' }, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        trace.getTracer('app').startSpan('chat', { attributes: CHAT_ATTRIBUTES }).end();
      }),
    );
    await shutdown();

    expect(server.logs()).toHaveLength(1);
    expect(server.logs()[0]).toMatchObject({ session_reference_id: 'caller-session', metadata: { user_id: 'own-user', session_id: 'caller-session' } });
    expect(() => register(server, { baggage: ['tenant'] })).toThrow(ConfigurationError);
  });
});

const DIST = resolve('dist/cjs/index.js');

/**
 * A CommonJS app of its own: registerHumanloop from the built package (`npm test` builds first),
 * one LLM span ended (queued by the processor, which would send it only 5 s later), then `then`.
 */
function appScript(server: TestLogServer, options: { shutdownOnExit?: boolean }, then: string): string {
  return `
const { createRequire } = require('node:module');
const load = createRequire(${JSON.stringify(DIST)});
const { trace } = load('@opentelemetry/api');
const { registerHumanloop } = require(${JSON.stringify(DIST)});
registerHumanloop({ apiKey: ${JSON.stringify(API_KEY)}, baseUrl: ${JSON.stringify(server.url)}, ...${JSON.stringify(options)} });
trace.getTracer('app').startSpan('chat', { attributes: ${JSON.stringify(CHAT_ATTRIBUTES)} }).end();
${then}
`;
}

/** Keeps the process alive until a signal's handler or the default action ends it. */
const KEEP_ALIVE = `const alive = setInterval(() => undefined, 1000); console.log('ready');`;

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
}

/** Runs `script`; once it prints `ready`, sends it `signal` (when given). */
function runApp(script: string, signal?: NodeJS.Signals): Promise<Ended> {
  const file = join(scope.tempDir(), 'app.cjs');
  writeFileSync(file, script);
  const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, HUMANLOOP_LOG_LEVEL: '' } });
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  let stdout = '';
  let sent = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (signal && !sent && stdout.includes('ready')) sent = child.kill(signal);
  });
  return new Promise((done) =>
    child.on('exit', (code, exitSignal) => {
      clearTimeout(killer);
      done({ code, signal: exitSignal, stdout });
    }),
  );
}

describe('registerHumanloop when the process stops', () => {
  it('sends what is left when the event loop empties, and the process exits as it would have', async () => {
    const server = await scope.server();
    const ended = await runApp(appScript(server, {}, 'process.exitCode = 3;'));
    expect(ended).toMatchObject({ code: 3, signal: null });
    expect(server.logs()).toHaveLength(1);
  });

  it('on SIGTERM with no handler of the application: sends what is left, then the signal ends the process', async () => {
    const server = await scope.server();
    const ended = await runApp(appScript(server, {}, KEEP_ALIVE), 'SIGTERM');
    expect(ended).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(server.logs()).toHaveLength(1);
  });

  it("on SIGINT with the application's own handler: sends what is left, and the application decides how it ends", async () => {
    const server = await scope.server();
    const then = `${KEEP_ALIVE} process.once('SIGINT', () => { clearInterval(alive); setTimeout(() => console.log('closed by the app'), 50); });`;
    const ended = await runApp(appScript(server, {}, then), 'SIGINT');
    expect(ended).toMatchObject({ code: 0, signal: null });
    expect(ended.stdout).toContain('closed by the app');
    expect(server.logs()).toHaveLength(1);
  });

  it('with shutdownOnExit false, installs no hook: SIGTERM ends the process before the span is sent', async () => {
    const server = await scope.server();
    const ended = await runApp(appScript(server, { shutdownOnExit: false }, KEEP_ALIVE), 'SIGTERM');
    expect(ended).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(server.requests()).toHaveLength(0);
  });
});
