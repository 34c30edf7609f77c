import { ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { HumanloopSpanProcessor } from '../src/index.js';
import { startTestLogServer, type TestLogServer, type RecordedRequest } from 'humanloop-log-server/testing';
import { API_KEY } from './helpers/harness.js';
import { CHAT_ATTRIBUTES } from './helpers/spans.js';
import { until } from './helpers/until.js';

/**
 * What a serverless handler pays at the end of each invocation: the request rounds of
 * `forceFlush()`. A round is counted from the requests the local server saw (when each arrived
 * and was answered), not from clock time: a request that arrived after another was answered is
 * in a later round.
 */

const DELAY_MS = 40;
const AGENT = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner', 'gen_ai.request.model': 'gpt-4o' };

let server: TestLogServer | undefined;
let provider: BasicTracerProvider | undefined;
afterEach(async () => {
  await provider?.shutdown();
  await server?.close();
  provider = server = undefined;
});

/** The rounds of these requests: one more than the latest round answered before each arrived. */
function rounds(requests: RecordedRequest[]): number {
  const round = new Map<RecordedRequest, number>();
  for (const request of [...requests].sort((a, b) => a.receivedAt - b.receivedAt)) {
    const before = requests.filter((other) => other.answeredAt !== undefined && other.answeredAt <= request.receivedAt);
    round.set(request, 1 + Math.max(0, ...before.map((other) => round.get(other) ?? 0)));
  }
  return Math.max(0, ...round.values());
}

/** Agents nested `depth` deep around one LLM call, the application working a little at each level; then the flush. */
async function flushRounds(depth: number, openParentsEarly: boolean): Promise<number> {
  server = await startTestLogServer({ apiKey: API_KEY });
  server.setFaultPlan(() => ({ delayMillis: DELAY_MS }));
  const processor = new HumanloopSpanProcessor({ apiKey: API_KEY, baseUrl: server.url, openParentsEarly }, { env: {} });
  provider = new BasicTracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('flush');
  const agents = [];
  let context: Context = ROOT_CONTEXT;
  for (let level = 0; level < depth; level++) {
    agents.push(tracer.startSpan(`agent ${level}`, { attributes: AGENT }, context));
    context = trace.setSpan(context, agents[level]);
  }
  const chat = tracer.startSpan('chat', { attributes: CHAT_ATTRIBUTES }, context);
  // The LLM call takes longer than logging its parents: they are all logged while it runs.
  if (openParentsEarly) await until(() => server!.logCount() === depth, 'the agents logged while the call runs');
  chat.end();
  for (const agent of agents.reverse()) agent.end();
  const before = server.requests().length;
  await processor.forceFlush();
  const logs = server.logs();
  expect(logs).toHaveLength(depth + 1);
  expect(logs.every((log) => log.duration !== undefined), 'every log complete').toBe(true);
  expect(server.requests().every((request) => request.status === 200)).toBe(true);
  return rounds(server.requests().slice(before));
}

describe('a flush at the end of an invocation', () => {
  it.each([1, 3, 5])('takes one round of requests for agents nested %i deep', async (depth) => {
    expect(await flushRounds(depth, true)).toBe(1);
  });

  it('takes a round per level when parents are logged only once they end', async () => {
    expect(await flushRounds(3, false)).toBe(4);
  });
});
