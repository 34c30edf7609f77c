// What the examples share: where logs go (the bundled local log server, unless HUMANLOOP_API_KEY
// and HUMANLOOP_BASE_URL point them somewhere else), a stand-in for an LLM, and the tree printer.
import { setTimeout as sleep } from 'node:timers/promises';
import { formatLogTree, startLocalLogServer } from 'humanloop-log-server';

/** Prints stored logs (of either API) as trees by their parent links: kind, name, model, tokens, duration. */
export function printLogTree(logs) {
  console.log(formatLogTree(logs));
}

/** The local log server on a free loopback port, and the exporter options that point at it. */
export async function startLocal() {
  const apiKey = 'example-key';
  const server = await startLocalLogServer({ apiKey });
  return { server, options: { apiKey, baseUrl: server.url } };
}

/** An LLM call as OTel GenAI spans record it, answered by a stand-in model after `millis`. */
export async function chat(tracer, question, { millis = 50 } = {}) {
  const attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: question }] }]),
  };
  return tracer.startActiveSpan('chat gpt-4o-mini', { attributes }, async (span) => {
    await sleep(millis);
    const answer = `An answer to: ${question}`;
    span.setAttributes({
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: answer }], finish_reason: 'stop' }]),
      'gen_ai.usage.input_tokens': question.length,
      'gen_ai.usage.output_tokens': answer.length,
    });
    span.end();
    return answer;
  });
}

/** An agent run around `work`, as OTel GenAI spans record it. */
export function agent(tracer, name, work) {
  const attributes = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': name, 'gen_ai.request.model': 'gpt-4o-mini' };
  return tracer.startActiveSpan(`invoke_agent ${name}`, { attributes }, async (span) => {
    try {
      const output = await work();
      span.setAttribute('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: output }] }]));
      return output;
    } finally {
      span.end();
    }
  });
}
