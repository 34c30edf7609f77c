// What each piece of code the README and the guides print must make: the scenarios that
// test/runnable-docs.test.ts runs in this repository (those marked inRepo: their packages are
// devDependencies) and .ci/runnable-docs.mjs runs in fresh projects (all of them, on the Node
// lines in `nodes`), and the logs each must leave in the local log server.
import assert from 'node:assert/strict';

const types = (logs) => logs.map((log) => log.config.type).sort();
const ofType = (logs, type) => logs.filter((log) => log.config.type === type);

/** Every log of `type` hangs under a log of `parentType`. */
function nestedUnder(logs, type, parentType) {
  const parents = new Set(ofType(logs, parentType).map((log) => log.reference_id));
  for (const log of ofType(logs, type)) assert.ok(parents.has(log.parent_reference_id), `a ${type} log under a ${parentType}`);
}

/** The Quickstart: the AI SDK's run as an agent log, its model call under it. */
function quickstartLogs(logs) {
  assert.deepEqual(types(logs), ['agent', 'model']);
  nestedUnder(logs, 'model', 'agent');
  assert.equal(ofType(logs, 'model')[0].output, 'Hello from the quickstart!');
  assert.ok(logs.every((log) => log.project === 'quickstart'), 'in the project the code names');
}

/** A weather agent through the AI SDK 6: its run, two model calls and the tool run under it, in one session. */
function aiSdk6Logs(logs) {
  assert.deepEqual(types(logs), ['agent', 'model', 'model', 'tool']);
  nestedUnder(logs, 'model', 'agent');
  nestedUnder(logs, 'tool', 'agent');
  assert.deepEqual(ofType(logs, 'tool')[0].inputs, { city: 'Paris' });
  assert.ok(logs.every((log) => log.session_reference_id === 'session-42'), 'in the session the code names');
}

/** The same agent through the AI SDK 7 and @ai-sdk/otel: GenAI spans, a step log around each model call. */
function aiSdk7Logs(logs) {
  assert.deepEqual(types(logs), ['agent', 'generic', 'generic', 'model', 'model', 'tool']);
  nestedUnder(logs, 'generic', 'agent');
  nestedUnder(logs, 'model', 'generic');
  nestedUnder(logs, 'tool', 'generic');
  assert.equal(ofType(logs, 'agent')[0].config.agent_class, 'weather-agent');
  assert.deepEqual(ofType(logs, 'tool')[0].inputs, { city: 'Paris' });
}

/** One chat completion through an instrumentation of the openai client: one model log, messages and output. */
function openAiCallLogs(logs) {
  assert.deepEqual(types(logs), ['model']);
  const [log] = logs;
  assert.equal(log.config.model, 'gpt-4o-mini');
  assert.deepEqual(log.messages.map((message) => message.role), ['system', 'user']);
  assert.equal(log.output, 'You said: Say hello to the readers');
}

/** The LangChain agent: one trace, its two chains and the tool under it, a model call in each chain. */
function langChainLogs(logs) {
  const [root, ...rest] = logs.filter((log) => log.parent_reference_id === undefined);
  assert.deepEqual(rest, [], 'one trace');
  assert.equal(root.config.name, 'weather-agent');
  const children = logs.filter((log) => log.parent_reference_id === root.reference_id);
  assert.deepEqual(children.map((child) => child.config.name ?? child.config.type).sort(), ['RunnableSequence', 'RunnableSequence', 'get_weather']);
  assert.equal(ofType(logs, 'model').length, 2);
  nestedUnder(logs, 'model', 'generic');
}

/** Two Lambda invocations, each flushed by the handler (its exit hooks are off): two runs, a call under each. */
function lambdaLogs(logs) {
  assert.deepEqual(types(logs), ['agent', 'agent', 'model', 'model']);
  nestedUnder(logs, 'model', 'agent');
  assert.ok(ofType(logs, 'agent').every((log) => log.config.agent_class === 'support-answer'));
}

/** One AI SDK run under SDK 3: the run as an agent log, its call nested under it (the context manager at work). */
function sdk3Logs(logs) {
  assert.deepEqual(types(logs), ['agent', 'model']);
  nestedUnder(logs, 'model', 'agent');
}

/** Beside the NodeSDK: the Collector gets the app's span and the LLM call's, Humanloop only the LLM call. */
function besideOtlpLogs(logs, { collectorSpans }) {
  assert.deepEqual(types(logs), ['model']);
  assert.equal(logs[0].output, 'You said: Where is order 1042?');
  assert.equal(collectorSpans.length, 2, `the Collector got ${collectorSpans.join(', ')}`);
  assert.ok(collectorSpans.includes('GET /orders/1042'));
}

/** A Next.js route handler's AI SDK 7 run: the run, its step and its model call, nested. */
function nextLogs(logs) {
  assert.deepEqual(types(logs), ['agent', 'generic', 'model']);
  assert.equal(ofType(logs, 'agent')[0].config.agent_class, 'answer');
  nestedUnder(logs, 'generic', 'agent');
  nestedUnder(logs, 'model', 'generic');
}

/** What a client of the Next.js app does: one question to its route handler. */
async function askNext(port) {
  const response = await fetch(`http://127.0.0.1:${port}/api/answer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ question: 'Is it in stock?' }),
  });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { answer: 'You said: Is it in stock?' });
}

export const SCENARIOS = [
  { name: 'quickstart-cjs', doc: 'README.md', files: ['app.js'], command: 'app.js', nodes: [20, 22], inRepo: true, expect: quickstartLogs },
  { name: 'quickstart-esm', doc: 'README.md', files: ['app.mjs'], command: 'app.mjs', nodes: [20, 22], inRepo: true, expect: quickstartLogs },
  {
    // The ES module form saved as app.ts in the CommonJS project: type-checked, then run with tsx.
    name: 'quickstart-ts',
    doc: 'README.md',
    files: [{ block: 'app.mjs', as: 'app.ts' }],
    run: [
      'npx --yes -p typescript@5.9.3 tsc --noEmit --strict --module nodenext --target es2022 --lib es2022,dom --skipLibCheck app.ts',
      'npx --yes tsx app.ts',
    ],
    nodes: [22],
    inRepo: false,
    expect: quickstartLogs,
  },
  { name: 'ai-sdk-6', doc: 'docs/guides/ai-sdk-6.md', nodes: [20], inRepo: true, openai: true, expect: aiSdk6Logs },
  { name: 'ai-sdk-7', doc: 'docs/guides/ai-sdk-7.md', nodes: [22], inRepo: false, openai: true, expect: aiSdk7Logs },
  { name: 'openllmetry', doc: 'docs/guides/openllmetry.md', nodes: [22], inRepo: true, openai: true, expect: openAiCallLogs },
  {
    name: 'openinference-cjs',
    doc: 'docs/guides/openinference.md',
    files: ['instrumentation.js', 'app.js'],
    command: 'cjs',
    nodes: [22],
    inRepo: true,
    openai: true,
    expect: openAiCallLogs,
  },
  { name: 'openinference-esm', doc: 'docs/guides/openinference.md', files: ['app.mjs'], command: 'esm', nodes: [22], inRepo: true, openai: true, expect: openAiCallLogs },
  { name: 'langchain', doc: 'docs/guides/langchain.md', nodes: [22], inRepo: false, openai: true, expect: langChainLogs },
  { name: 'aws-lambda', doc: 'docs/guides/aws-lambda.md', nodes: [22], inRepo: true, openai: true, expect: lambdaLogs },
  { name: 'sdk-3', doc: 'docs/guides/sdk-3.md', files: ['app.mjs'], command: 'app.mjs', nodes: [22], inRepo: false, openai: true, expect: sdk3Logs },
  { name: 'sdk-3-by-hand', doc: 'docs/guides/sdk-3.md', files: ['by-hand.mjs'], command: 'by-hand.mjs', nodes: [22], inRepo: false, openai: true, expect: sdk3Logs },
  { name: 'nodesdk-otlp', doc: 'docs/guides/nodesdk-otlp.md', nodes: [22], inRepo: false, openai: true, collector: true, expect: besideOtlpLogs },
  { name: 'nextjs', doc: 'docs/guides/nextjs.md', nodes: [22], inRepo: false, openai: true, request: askNext, expect: nextLogs },
];
