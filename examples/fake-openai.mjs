// A fake OpenAI Chat Completions API on loopback, deterministic, for the demo and the tests:
// - last message from a tool          → a text answer that uses the tool result
// - tools offered and "weather" asked → one get_weather tool call
// - model "rate-limited-model"        → 429 with an OpenAI-style error body
// - otherwise                         → a short text answer
// `stream: true` answers with server-sent events (and a usage chunk when asked for).
import { createServer } from 'node:http';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export async function startFakeOpenAI({ host = '127.0.0.1', port = 0 } = {}) {
  if (!LOOPBACK.has(host)) throw new Error(`the fake OpenAI listens on loopback only, not on ${host}`);
  const requests = [];
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || !req.url.endsWith('/chat/completions')) {
      req.resume();
      return sendJson(res, 404, { error: { message: `no route for ${req.method} ${req.url}`, type: 'invalid_request_error' } });
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      try {
        const request = JSON.parse(body);
        requests.push(request);
        answer(request, res);
      } catch {
        sendJson(res, 400, { error: { message: 'invalid JSON', type: 'invalid_request_error' } });
      }
    });
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  const { port: bound } = server.address();
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

let sequence = 0;

function answer(request, res) {
  if (request.model === 'rate-limited-model') {
    return sendJson(res, 429, {
      error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' },
    });
  }
  const message = reply(request);
  const usage = countUsage(request.messages, message);
  const id = `chatcmpl-fake-${++sequence}`;
  const model = `${request.model}-2024-08-06`;
  if (request.stream) return stream(res, { id, model, message, usage, includeUsage: request.stream_options?.include_usage });
  sendJson(res, 200, {
    id,
    object: 'chat.completion',
    created: 1_763_800_000 + sequence,
    model,
    system_fingerprint: 'fp_fake',
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(message) }],
    usage,
  });
}

function reply(request) {
  const messages = request.messages ?? [];
  const last = messages[messages.length - 1] ?? {};
  if (last.role === 'tool') {
    return { role: 'assistant', content: `Here is what I found: ${last.content}`, refusal: null };
  }
  const text = typeof last.content === 'string' ? last.content : '';
  if (request.tools?.length && /weather/i.test(text)) {
    return {
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [
        { id: `call_fake_${sequence + 1}`, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      ],
    };
  }
  return { role: 'assistant', content: `You said: ${text.slice(0, 80)}`, refusal: null };
}

const finishReason = (message) => (message.tool_calls ? 'tool_calls' : 'stop');

function countUsage(messages = [], message) {
  const words = (value) => (typeof value === 'string' ? value.split(/\s+/).filter(Boolean).length : 0);
  const prompt_tokens = messages.reduce((sum, m) => sum + 4 + words(m.content), 0);
  const completion_tokens = Math.max(1, words(message.content) + (message.tool_calls ? 12 : 0));
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

function stream(res, { id, model, message, usage, includeUsage }) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const chunk = (choices, extra = {}) =>
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1_763_800_000, model, system_fingerprint: 'fp_fake', choices, ...extra })}\n\n`);
  const delta = (fields, finish_reason = null) => chunk([{ index: 0, delta: fields, finish_reason }]);
  if (message.tool_calls) {
    // Like OpenAI: each tool call's id and name first, then its arguments.
    message.tool_calls.forEach(({ id: callId, type, function: { name, arguments: args } }, index) => {
      const start = index === 0 ? { role: 'assistant', content: null } : {};
      delta({ ...start, tool_calls: [{ index, id: callId, type, function: { name, arguments: '' } }] });
      delta({ tool_calls: [{ index, function: { arguments: args } }] });
    });
  } else {
    delta({ role: 'assistant', content: '' });
    for (const word of message.content.split(/(?<= )/)) delta({ content: word });
  }
  delta({}, finishReason(message));
  if (includeUsage) chunk([], { usage });
  res.end('data: [DONE]\n\n');
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
