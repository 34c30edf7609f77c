// humanloop-otel-exporter under the OpenTelemetry JS SDK 3.x (Node 22.15+), installed from its
// packed tarball as a user would: the processor runs under SDK 3's TracerProvider, logs arrive
// nested in the local log server, and flush and shutdown resolve whatever the API does; and
// registerHumanloop builds SDK 3's provider with the async-hooks context manager by itself.
// Run by .ci/run: npm ci here, npm install --no-save the tarball, then this file on Node 22.
import assert from 'node:assert/strict';
import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { HumanloopSpanProcessor, registerHumanloop, withHumanloop } from 'humanloop-otel-exporter';
import { startLocalLogServer } from 'humanloop-log-server';

const AGENT = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner', 'gen_ai.request.model': 'gpt-4o' };
const CHAT = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o' };

assert.ok(Number(process.versions.node.split('.')[0]) >= 22, `Node ${process.version}: SDK 3 needs Node 22.15+`);

/** An agent around an LLM call and a tool run, through SDK 3's tracer provider. */
async function agentTrace(options) {
  const processor = new HumanloopSpanProcessor({ project: 'sdk3', ...options });
  const provider = new TracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('sdk3-check');
  const agent = tracer.startSpan('agent', { attributes: AGENT }, ROOT_CONTEXT);
  const inAgent = trace.setSpan(ROOT_CONTEXT, agent);
  tracer.startSpan('chat', { attributes: CHAT }, inAgent).end();
  tracer.startSpan('tool', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' } }, inAgent).end();
  agent.end();
  return { processor, provider, agent };
}

const server = await startLocalLogServer({ apiKey: 'sdk3-key' });
try {
  const { processor, provider, agent } = await agentTrace({ apiKey: 'sdk3-key', baseUrl: server.url });
  await provider.forceFlush();
  const logs = server.logs();
  assert.equal(logs.length, 3, 'three logs');
  for (const log of logs.filter((log) => log.reference_id !== agent.spanContext().spanId)) {
    assert.equal(log.parent_reference_id, agent.spanContext().spanId, 'nested under the agent');
  }
  assert.ok(server.requests().every((request) => request.status === 200), 'every request accepted');
  assert.equal(processor.exporter.stats().spans.delivered, 3);
  await provider.shutdown();

  // Flush and shutdown resolve without a key, with a refused key and against a closed port.
  const closed = await startLocalLogServer({ apiKey: 'x' });
  await closed.close();
  for (const options of [{ apiKey: '' }, { apiKey: 'wrong', baseUrl: server.url }, { apiKey: 'k', baseUrl: closed.url }]) {
    const { provider: failing } = await agentTrace({ ...options, exportTimeoutMillis: 2_000 });
    await failing.forceFlush();
    await failing.shutdown();
  }
  await checkRegister(server);
  console.log(`SDK 3 check passed on Node ${process.version}`);
} finally {
  await server.close();
}

/**
 * registerHumanloop alone: SDK 3's provider, registered, and spans nested across awaits by the
 * context manager, which carries withHumanloop's values to them too.
 */
async function checkRegister(server) {
  server.clear();
  const { provider, shutdown } = registerHumanloop({ apiKey: 'sdk3-key', baseUrl: server.url, project: 'sdk3-register', shutdownOnExit: false });
  // Loaded with require (it must work in CommonJS apps too): the SDK's CommonJS build, so compared by name.
  assert.equal(provider.constructor.name, 'TracerProvider', "SDK 3's TracerProvider");
  const tracer = trace.getTracer('sdk3-register');
  await withHumanloop({ user: 'sdk3-user', sessionId: 'sdk3-session' }, () =>
    tracer.startActiveSpan('agent', { attributes: AGENT }, async (agent) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      tracer.startSpan('chat', { attributes: CHAT }).end();
      agent.end();
    }),
  );
  await shutdown();
  const logs = server.logs();
  const agent = logs.find((log) => log.config.type === 'agent');
  assert.deepEqual(logs.map((log) => log.config.type).sort(), ['agent', 'model'], 'the agent and its call');
  assert.equal(logs.find((log) => log.config.type === 'model').parent_reference_id, agent.reference_id, 'nested after an await');
  for (const log of logs) {
    assert.equal(log.metadata.user_id, 'sdk3-user', "withHumanloop's user");
    assert.equal(log.session_reference_id, 'sdk3-session', "withHumanloop's session");
  }
  trace.disable();
  context.disable();
  propagation.disable();
}
