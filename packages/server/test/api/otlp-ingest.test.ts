import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { context, trace } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalLogServer, type LocalLogServer } from '../../src/index.js';
import { until } from '../../../../test/helpers/until.js';

/**
 * The log server takes OTLP itself (`otlp: true`): an app in any language points its OTLP exporter
 * at the server, and its LLM spans are stored as logs, nested as in the trace, with no gateway to run.
 */

const KEY = 'otlp-ingest-key';
const AGENT = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner', 'gen_ai.request.model': 'gpt-4o' };
const CHAT = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.usage.input_tokens': 12,
  'gen_ai.usage.output_tokens': 5,
};

let server: LocalLogServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** An agent span with a chat span under it, sent through `exporter` as a Python or Go app's SDK would. */
async function sendAgentTrace(exporter: SpanExporter): Promise<{ agent: string; chat: string }> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'support-bot' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('otlp-ingest-test');
  const agent = tracer.startSpan('invoke_agent planner', { attributes: AGENT });
  const chat = tracer.startSpan('chat gpt-4o', { attributes: CHAT }, trace.setSpan(context.active(), agent));
  chat.end();
  agent.end();
  await provider.shutdown();
  return { agent: agent.spanContext().spanId, chat: chat.spanContext().spanId };
}

describe('the log server taking OTLP', () => {
  const senders: Array<[string, (s: LocalLogServer) => SpanExporter]> = [
    ['OTLP/HTTP protobuf', (s) => new ProtobufExporter({ url: s.otlp!.tracesUrl, headers: { authorization: `Bearer ${KEY}` } })],
    ['OTLP/HTTP JSON', (s) => new JsonExporter({ url: s.otlp!.tracesUrl, headers: { authorization: `Bearer ${KEY}` } })],
  ];
  for (const [name, exporterFor] of senders) {
    it(`stores the LLM spans of ${name} as v4 logs, the chat under the agent, project from service.name`, async () => {
      server = await startLocalLogServer({ apiKey: KEY, otlp: true });
      const ids = await sendAgentTrace(exporterFor(server));
      await until(() => server!.logs().length === 2, 'both logs', { timeoutMillis: 10_000 });
      const byRef = new Map(server.logs().map((log) => [log.reference_id, log]));
      const agent = byRef.get(ids.agent)!;
      const chat = byRef.get(ids.chat)!;
      expect(agent).toMatchObject({ project: 'support-bot' });
      expect(chat).toMatchObject({ project: 'support-bot', parent_reference_id: ids.agent, config: { model: 'gpt-4o', type: 'model' } });
      expect(chat).toMatchObject({ prompt_tokens: 12, output_tokens: 5 });
    });
  }

  it('over OTLP/gRPC on the port it was given, as v5 logs when the server is v5', async () => {
    server = await startLocalLogServer({ apiKey: KEY, api: 'v5', otlp: true, otlpGrpcPort: 0 });
    const grpcPort = server.otlp!.grpcPort!;
    const { Metadata } = await import('@grpc/grpc-js');
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${KEY}`);
    await sendAgentTrace(new GrpcExporter({ url: `http://127.0.0.1:${grpcPort}`, metadata }));
    await until(() => server!.v5Logs().length === 2, 'both logs', { timeoutMillis: 10_000 });
    const types = server.v5Logs().map((log) => log.type).sort();
    const [parent, child] = ['flow', 'prompt'].map((type) => server!.v5Logs().find((log) => log.type === type));
    expect(types, 'the agent is logged as a flow, its model call as a prompt').toEqual(['flow', 'prompt']);
    expect(child?.trace_parent_id).toBe(parent?.id);
  });

  it('refuses a sender without the key (401), and stores nothing', async () => {
    server = await startLocalLogServer({ apiKey: KEY, otlp: true });
    const response = await fetch(server.otlp!.tracesUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceSpans":[]}' });
    expect(response.status).toBe(401);
    expect(server.logs()).toEqual([]);
  });

  it('is not served unless asked for: /v1/traces is then the log API\'s 404', async () => {
    server = await startLocalLogServer({ apiKey: KEY });
    expect(server.otlp).toBeUndefined();
    const origin = new URL(server.url).origin;
    const response = await fetch(`${origin}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEY }, body: '{}' });
    expect(response.status).toBe(404);
  });

  it('delivers what it took in before close() resolves', async () => {
    const closing = await startLocalLogServer({ apiKey: KEY, otlp: true });
    await sendAgentTrace(new JsonExporter({ url: closing.otlp!.tracesUrl, headers: { authorization: `Bearer ${KEY}` } }));
    // The spans may still wait in the intake's batch (200 ms): close() hands them on and delivers them first.
    await closing.close();
    expect(closing.logs()).toHaveLength(2);
  });
});
