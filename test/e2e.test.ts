import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterEach, describe, expect, it } from 'vitest';
import { HumanloopSpanExporter } from '../src/index.js';
import { startTestLogServer, type TestLogServer } from 'humanloop-log-server/testing';
import { API_KEY } from './helpers/harness.js';
import { bySpanName } from './helpers/logs.js';
import { CHAT_ATTRIBUTES, under } from './helpers/spans.js';
import { until } from './helpers/until.js';

let server: TestLogServer | undefined;
let provider: NodeTracerProvider | undefined;

afterEach(async () => {
  await provider?.shutdown();
  await server?.close();
  provider = undefined;
  server = undefined;
});

async function setup(options: { scheduledDelayMillis?: number } = {}) {
  server = await startTestLogServer({ apiKey: API_KEY });
  const beside = new InMemorySpanExporter();
  const exporter = new HumanloopSpanExporter({ apiKey: API_KEY, baseUrl: server.url }, { env: {} });
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'e2e-bot' }),
    spanProcessors: [
      new SimpleSpanProcessor(beside),
      new BatchSpanProcessor(exporter, { scheduledDelayMillis: options.scheduledDelayMillis ?? 5000 }),
    ],
  });
  return { tracer: provider.getTracer('e2e'), beside, server, provider, exporter };
}

describe('through a real NodeTracerProvider and BatchSpanProcessor', () => {
  it('delivers every LLM span as exactly one valid log, nested as in the trace, and no other span', async () => {
    const { tracer, beside, server, provider } = await setup();
    const http = tracer.startSpan('POST /chat', { attributes: { 'http.request.method': 'POST' } });
    const agent = tracer.startSpan(
      'invoke_agent helper',
      {
        attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'helper', 'gen_ai.request.model': 'gpt-4o' },
      },
      under(http),
    );
    tracer.startSpan('chat first', { attributes: CHAT_ATTRIBUTES }, under(agent)).end();
    const tool = tracer.startSpan(
      'execute_tool lookup',
      {
        attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup', 'gen_ai.tool.call.arguments': '{"q":"x"}' },
      },
      under(agent),
    );
    tracer.startSpan('SELECT orders', { attributes: { 'db.system': 'postgresql' } }, under(tool)).end();
    tool.end();
    tracer.startSpan('chat second', { attributes: CHAT_ATTRIBUTES }, under(agent)).end();
    agent.end();
    http.end();
    await provider.forceFlush();

    const logs = server.logs();
    expect(logs).toHaveLength(4);
    expect(new Set(logs.map((log) => log.reference_id)).size).toBe(4);
    const named = bySpanName(logs);
    const agentLog = named.get('invoke_agent helper')!;
    expect(agentLog.config).toMatchObject({ type: 'agent', agent_class: 'helper', model_config: { model: 'gpt-4o' } });
    expect(agentLog.parent_reference_id).toBeUndefined();
    for (const name of ['chat first', 'execute_tool lookup', 'chat second']) {
      const log = named.get(name)!;
      expect(log.parent_reference_id).toBe(agentLog.reference_id);
      expect(log.trace_parent_id).toBe(agentLog.id);
      expect(log.session_reference_id).toBe(agentLog.session_reference_id);
    }
    expect(named.get('execute_tool lookup')).toMatchObject({ config: { type: 'tool', name: 'lookup' }, inputs: { q: 'x' } });
    expect(agentLog.session_reference_id).toBe(http.spanContext().traceId);
    // Every request was accepted: the server enforces the parent rule.
    expect(server.requests().every((r) => r.status === 200)).toBe(true);
    // The other pipeline saw every span, untouched.
    expect(beside.getFinishedSpans()).toHaveLength(6);
  });

  it('holds children exported in an earlier batch than their parent until the parent is logged', async () => {
    const { tracer, server, provider, exporter } = await setup({ scheduledDelayMillis: 20 });
    const agent = tracer.startSpan('invoke_agent slow', {
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'slow' },
    });
    tracer.startSpan('chat early', { attributes: CHAT_ATTRIBUTES }, under(agent)).end();
    // The child's batch has reached the exporter, which holds its log for the parent.
    await until(() => exporter.stats().spans.seen === 1 && exporter.stats().waitingLogs === 1, 'the child held');
    expect(server.requests()).toHaveLength(0);
    agent.end();
    await provider.forceFlush();
    const named = bySpanName(server.logs());
    expect(named.get('chat early')?.parent_reference_id).toBe(agent.spanContext().spanId);
    expect(named.get('invoke_agent slow')?.config).toMatchObject({ type: 'generic', other: { kind: 'agent' } });
    expect(server.requests().map((r) => r.status)).toEqual([200, 200]);
  });

  it('sends a child whose parent never ends as a root when the provider shuts down', async () => {
    const { tracer, server, provider } = await setup();
    const agent = tracer.startSpan('invoke_agent forever', { attributes: { 'gen_ai.operation.name': 'invoke_agent' } });
    tracer.startSpan('chat orphan', { attributes: CHAT_ATTRIBUTES }, under(agent)).end();
    await provider.shutdown();
    const [log] = server.logs();
    expect(log?.reference_id).toBeDefined();
    expect(log?.parent_reference_id).toBeUndefined();
    expect(log?.metadata?.otel).toMatchObject({ parent_span_id: agent.spanContext().spanId });
  });
});
