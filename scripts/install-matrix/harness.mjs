// Shared by the install matrix's checks (copied beside each check into the project it runs in): a
// sink standing in for the stack's own backend, one LLM-looking span, and the check that its log was
// stored by the log server the matrix runs (its v4 URL in HL_MATRIX_LOG_SERVER, its key in
// HL_MATRIX_API_KEY). Prints one JSON line for the matrix.
import { createServer } from 'node:http';
import { SpanKind } from '@opentelemetry/api';

const { HL_MATRIX_LOG_SERVER: LOG_SERVER, HL_MATRIX_API_KEY: API_KEY } = process.env;
const MODEL = 'gpt-4o-mini';

/** Answers 200 to every request: the Collector, Langfuse, Sentry, Phoenix or Traceloop the stack sends to. */
async function startSink() {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    tracesUrl: `${url}/v1/traces`,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** One LLM call's span, ended; returns its span id. */
export function llmSpan(tracer) {
  const span = tracer.startSpan(`chat ${MODEL}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': MODEL,
      'gen_ai.usage.input_tokens': 9,
      'gen_ai.usage.output_tokens': 3,
    },
  });
  const spanId = span.spanContext().spanId;
  span.end();
  return spanId;
}

/**
 * Runs `stack` ({ humanloop, sink } → the span ids it made, once its provider is shut down or
 * flushed) and checks that the log server stored a log for each span, with its model. `note` is
 * printed with the result.
 */
export async function check(stack, note = '') {
  const sink = await startSink();
  try {
    const humanloop = { apiKey: API_KEY, baseUrl: LOG_SERVER, project: 'install-matrix' };
    const spanIds = await stack({ humanloop, sink });
    const logs = await (await fetch(`${LOG_SERVER}/logs`, { headers: { 'x-api-key': API_KEY } })).json();
    for (const spanId of spanIds) {
      const log = logs.find((stored) => stored.reference_id === spanId);
      if (!log) throw new Error(`no log for span ${spanId} (the server holds ${logs.length})`);
      if (log.config?.model !== MODEL) throw new Error(`the log of span ${spanId} has model ${log.config?.model}`);
    }
    console.log(JSON.stringify({ delivered: spanIds.length, sinkRequests: sink.requests(), note }));
  } finally {
    await sink.close();
  }
}
