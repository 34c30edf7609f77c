// Telling production from staging, and one release from the next: each log carries an
// `environment` (the `environment` option or HUMANLOOP_ENVIRONMENT, else the resource's
// `deployment.environment.name`) and `metadata.otel.service_version` (the resource's
// `service.version`), which Humanloop can filter by.
//   npm run example -- environment-tag
import { context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { HumanloopSpanProcessor } from 'humanloop-otel-exporter';
import { chat, startLocal } from './local-setup.mjs';

export async function main() {
  const { server, options } = await startLocal();
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'support-bot',
      'service.version': '1.4.2',
      'deployment.environment.name': 'staging',
    }),
    spanProcessors: [new HumanloopSpanProcessor({ ...options, project: 'tagged' })],
  });
  provider.register();
  try {
    await chat(trace.getTracer('support-bot'), 'Is the new release live?');
  } finally {
    await provider.shutdown();
    trace.disable();
    context.disable();
    await server.close();
  }
  const [log] = server.logs();
  console.log(`environment: ${log.environment}, release: ${log.metadata.otel.service_version}`);
  return server.logs();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
