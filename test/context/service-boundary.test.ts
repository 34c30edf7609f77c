import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, type Tracer } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { withHumanloop, type HumanloopContext, type HumanloopSpanProcessorOptions } from '../../src/index.js';
import { contextsBySpanName, startService, useAsyncContext } from '../helpers/context-rig.js';
import { DIALECTS, type Dialect } from '../helpers/harness.js';
import { send } from '../helpers/raw-request.js';
import { testScope } from '../helpers/scope.js';
import { CHAT_ATTRIBUTES } from '../helpers/spans.js';

/**
 * Two services in one process, each with its own tracer provider: service A, inside withHumanloop,
 * calls service B over one HTTP hop on 127.0.0.1, with the W3C trace context and baggage
 * propagators. A's session and user reach B's logs through baggage when B reads baggage (and A
 * propagates), and do not otherwise.
 */

const scope = testScope();
useAsyncContext();

const propagator = new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] });
const AGENT = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'checkout', 'gen_ai.request.model': 'gpt-4o' };

/** Service B: an HTTP server on a free loopback port that makes one LLM call in the context its request carries. */
async function startServiceB(tracer: Tracer): Promise<number> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const extracted = propagator.extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter);
    context.with(extracted, () => tracer.startActiveSpan('chat in B', { attributes: CHAT_ATTRIBUTES }, (span) => span.end()));
    response.end('done');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  scope.defer(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as AddressInfo).port;
}

/** A's run: an agent span inside withHumanloop that calls B, the trace context and baggage injected by hand. */
async function callFromA(tracer: Tracer, port: number, values: HumanloopContext): Promise<string> {
  return withHumanloop(values, () =>
    tracer.startActiveSpan('invoke_agent checkout', { attributes: AGENT }, async (span) => {
      const headers: Record<string, string> = {};
      propagator.inject(context.active(), headers, defaultTextMapSetter);
      const answer = await send(port, 'GET', '/quote', headers);
      span.end();
      return answer.body;
    }),
  );
}

async function run(api: Dialect, b: HumanloopSpanProcessorOptions, values: HumanloopContext) {
  const server = await scope.server({ api });
  const serviceA = startService(scope, server, api, 'service-a');
  const serviceB = startService(scope, server, api, 'service-b', b);
  const port = await startServiceB(serviceB.tracer);
  expect(await callFromA(serviceA.tracer, port, values)).toBe('done');
  await serviceA.flush();
  await serviceB.flush();
  const logs = contextsBySpanName(server, api);
  const inA = logs.get('invoke_agent checkout');
  const inB = logs.get('chat in B');
  if (!inA || !inB) throw new Error(`logs of: ${[...logs.keys()].join(', ')}`);
  return { inA, inB };
}

const VALUES: HumanloopContext = { sessionId: 'checkout-9', user: 'user-3', propagate: true };

describe.each(DIALECTS)('a request context across a service boundary (%s)', (api) => {
  it('reaches B’s logs through baggage when B reads baggage', async () => {
    const { inA, inB } = await run(api, { baggage: true }, VALUES);
    for (const [name, log] of [['A', inA], ['B', inB]] as const) {
      expect(log.user, name).toBe('user-3');
      expect(log.metadata.session_id, name).toBe('checkout-9');
      if (api === 'v4') expect(log.session, name).toBe('checkout-9');
    }
    // The same trace: B's span is a child of A's across the hop.
    expect(inB.metadata.otel).toMatchObject({ trace_id: (inA.metadata.otel as { trace_id: string }).trace_id });
  });

  it('does not when B does not read baggage', async () => {
    const { inA, inB } = await run(api, {}, VALUES);
    expect(inA.user).toBe('user-3');
    expect(inB.user).toBeUndefined();
    expect(inB.metadata).not.toHaveProperty('session_id');
    if (api === 'v4') expect(inB.session).not.toBe('checkout-9');
  });

  it('does not when A does not propagate, even where B reads baggage', async () => {
    const { inA, inB } = await run(api, { baggage: true }, { sessionId: 'checkout-9', user: 'user-3' });
    expect(inA.user).toBe('user-3');
    expect(inB.user).toBeUndefined();
    expect(inB.metadata).not.toHaveProperty('session_id');
  });
});

