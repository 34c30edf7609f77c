// A receiver in a process of its own, so its work is not counted against the exporter measured:
// `otlp` and `humanloop-minimal` only parse what they receive and answer; `humanloop` runs the
// bundled local log server (v4 and v5), which validates and stores every log; `humanloop-v5 DELAY_MS`
// the same for the v5 API, answering each request after DELAY_MS as a remote API would.
import { createServer } from 'node:http';
import { startLocalLogServer } from 'humanloop-log-server';
import { startTestLogServer } from 'humanloop-log-server/testing';

const [kind, delayArg] = process.argv.slice(2);

/**
 * A receiver that only parses each request and answers it, as cheaply for one protocol as for the
 * other: `otlp` takes OTLP/HTTP JSON at /v1/traces and answers `{}`; `humanloop-minimal` takes
 * Humanloop v4 arrays of logs at /v4/logs and answers each with an id.
 */
async function startMinimalSink(protocol) {
  let items = 0;
  let requests = 0;
  let bytes = 0;
  const answer = protocol === 'otlp' ? answerOtlp : answerHumanloop;
  const server = createServer((req, res) => {
    const chunks = [];
    requests++;
    req.on('data', (chunk) => {
      chunks.push(chunk);
      bytes += chunk.length;
    });
    req.on('end', () => {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return void res.writeHead(400).end();
      }
      const { count, reply } = answer(body, items);
      items += count;
      res.writeHead(200, { 'content-type': 'application/json' }).end(reply);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    url: protocol === 'otlp' ? `${base}/v1/traces` : `${base}/v4`,
    count: () => items,
    requests: () => ({ requests, bytes }),
    reset: () => (items = requests = bytes = 0),
  };
}

function answerOtlp(body) {
  let count = 0;
  for (const resource of body.resourceSpans ?? []) for (const scope of resource.scopeSpans ?? []) count += scope.spans?.length ?? 0;
  return { count, reply: '{}' };
}

function answerHumanloop(body, before) {
  const logs = Array.isArray(body) ? body : [body];
  return { count: logs.length, reply: JSON.stringify(logs.map((_, index) => ({ id: `data_${before + index}` }))) };
}

async function startHumanloopSink() {
  const server = await startLocalLogServer({ apiKey: 'bench-key' });
  return { url: server.url, count: () => server.logCount(), reset: () => server.clear() };
}

async function startDelayedV5Sink(delayMillis) {
  const server = await startTestLogServer({ apiKey: 'bench-key', api: 'v5' });
  const delay = () => server.setFaultPlan(() => ({ delayMillis }));
  delay();
  const reset = () => (server.clear(), delay());
  return { url: server.url, count: () => server.logCount(), reset };
}

const SINKS = {
  otlp: () => startMinimalSink('otlp'),
  'humanloop-minimal': () => startMinimalSink('humanloop-minimal'),
  humanloop: startHumanloopSink,
  'humanloop-v5': () => startDelayedV5Sink(Number(delayArg)),
};
if (!Object.hasOwn(SINKS, kind)) throw new Error(`unknown sink ${kind}: ${Object.keys(SINKS).join(', ')}`);
const sink = await SINKS[kind]();
process.send({ url: sink.url });
process.on('message', (message) => {
  if (message === 'count') process.send({ count: sink.count() });
  if (message === 'requests') process.send({ requests: sink.requests?.() });
  if (message === 'reset') {
    sink.reset();
    process.send({ reset: true });
  }
  if (message === 'exit') process.exit(0);
});
