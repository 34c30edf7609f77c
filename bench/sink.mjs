// A receiver in a process of its own, so its work is not counted against the exporter measured:
// `humanloop` runs the bundled local log server; `humanloop-v5 DELAY_MS` the same for the v5 API,
// answering each request after DELAY_MS as a remote API would; `otlp` a minimal OTLP/HTTP JSON receiver.
import { createServer } from 'node:http';
import { startLocalLogServer } from 'humanloop-otel-exporter/local';
import { startTestLogServer } from 'humanloop-otel-exporter/testing';

const [kind, delayArg] = process.argv.slice(2);

async function startOtlpSink() {
  let spans = 0;
  let requests = 0;
  let bytes = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    requests++;
    req.on('data', (chunk) => {
      chunks.push(chunk);
      bytes += chunk.length;
    });
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        for (const resource of body.resourceSpans ?? []) for (const scope of resource.scopeSpans ?? []) spans += scope.spans?.length ?? 0;
      } catch {
        // Counted as nothing.
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/v1/traces`,
    count: () => spans,
    requests: () => ({ requests, bytes }),
    reset: () => (spans = requests = bytes = 0),
  };
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

const sink = kind === 'otlp' ? await startOtlpSink() : kind === 'humanloop-v5' ? await startDelayedV5Sink(Number(delayArg)) : await startHumanloopSink();
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
