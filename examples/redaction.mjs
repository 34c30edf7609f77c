// Keeping content in: `redact` sees every log before it leaves the process (change it, or return
// null to drop it), and `captureContent: false` sends no messages, outputs, inputs or tool
// arguments at all. The same conversation goes to two projects, once each way.
//   npm run example -- redaction
import { context, trace } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { HumanloopSpanProcessor } from 'humanloop-otel-exporter';
import { chat, startLocal } from './local-setup.mjs';

const EMAIL = /[\w.+-]+@[\w-]+\.[\w.]+/g;

/** Masks e-mail addresses in every text a log carries; drops the logs of the `internal-audit` agent. */
function redact(log) {
  if (log.config.type === 'agent' && log.config.agent_class === 'internal-audit') return null;
  const mask = (text) => (typeof text === 'string' ? text.replace(EMAIL, '[email]') : text);
  return {
    ...log,
    output: mask(log.output),
    messages: log.messages?.map((message) => ({ ...message, content: mask(message.content) })),
    output_message: log.output_message && { ...log.output_message, content: mask(log.output_message.content) },
  };
}

export async function main() {
  const { server, options } = await startLocal();
  const provider = new NodeTracerProvider({
    spanProcessors: [
      new HumanloopSpanProcessor({ ...options, project: 'redacted', redact }),
      new HumanloopSpanProcessor({ ...options, project: 'no-content', captureContent: false }),
    ],
  });
  provider.register();
  try {
    await chat(trace.getTracer('redaction'), 'Please email the invoice to ada@example.com');
  } finally {
    await provider.shutdown();
    trace.disable();
    context.disable();
    await server.close();
  }
  for (const log of server.logs()) {
    console.log(`project ${log.project}: messages ${JSON.stringify(log.messages ?? null)}, output ${JSON.stringify(log.output ?? null)}`);
  }
  return server.logs();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
