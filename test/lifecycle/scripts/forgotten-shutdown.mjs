// An application that never calls shutdown(): it traces an agent with a chat inside, then ends
// on its own (`natural`) or calls process.exit() (`exit`). The built package, as users run it.
// Usage: node forgotten-shutdown.mjs <baseUrl> <apiKey> <api> natural|exit [spoolDir]
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { HumanloopSpanProcessor } from '../../../dist/esm/index.js';

const [baseUrl, apiKey, api, mode, spoolDir] = process.argv.slice(2);
const processor = new HumanloopSpanProcessor({ apiKey, baseUrl, api, spoolDir });
const provider = new BasicTracerProvider({ spanProcessors: [processor] });
const tracer = provider.getTracer('forgotten');
const agent = tracer.startSpan('agent', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'helper', 'gen_ai.request.model': 'gpt-4o' } }, ROOT_CONTEXT);
const chat = tracer.startSpan('chat', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.provider.name': 'openai' } }, trace.setSpan(ROOT_CONTEXT, agent));
chat.end();
agent.end();
if (mode === 'exit') process.exit(0);
