import { SpanStatusCode, type Attributes, type SpanStatus } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredLog } from 'humanloop-log-server/testing';
import { startHarness, type Harness } from '../helpers/harness.js';
import { CHAT_ATTRIBUTES, recordSpans, startSpan } from '../helpers/spans.js';

/** Bad values on a span must not cost the log: the rest of what the span says is still worth sending. */

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** Ends one real span with `attributes`, exports it to the strict local server and returns what was stored. */
async function storedLogOf(name: string, attributes: Attributes, status?: SpanStatus): Promise<StoredLog | undefined> {
  harness = await startHarness();
  const rec = recordSpans();
  const span = startSpan(rec.tracer, name, attributes);
  // SDK 2.x's setStatus() drops a message that is not a string; spans from elsewhere (SDK 1.x before it
  // checked, spans rebuilt from JSON) carry one as it came, as this span now does.
  if (status) (span as unknown as { status: SpanStatus }).status = status;
  span.end();
  await harness.exportAll(rec.spans());
  return harness.server.logs().find((log) => log.reference_id === span.spanContext().spanId);
}

describe('a status message that is not a string', () => {
  // Defect: a non-string status message becomes a non-string `error`, which the API refuses: the log is lost.
  it.each([
    [404, '404'],
    [true, 'true'],
  ])('becomes text: %s', async (message, error) => {
    const log = await storedLogOf('chat', CHAT_ATTRIBUTES, { code: SpanStatusCode.ERROR, message: message as unknown as string });
    expect(log, 'the stored log').toBeDefined();
    expect(log?.error).toBe(error);
  });

  // Defect: same, for a message of another type, which is left out.
  it('is left out when it is neither a number nor a boolean', async () => {
    const log = await storedLogOf('chat', CHAT_ATTRIBUTES, {
      code: SpanStatusCode.ERROR,
      message: { code: 404 } as unknown as string,
    });
    expect(log, 'the stored log').toBeDefined();
    expect(log?.error === undefined || typeof log.error === 'string').toBe(true);
    expect(JSON.stringify(log?.error ?? '')).not.toContain('404');
  });
});

describe('input messages that are not valid JSON', () => {
  const GENAI_CHAT: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o',
  };
  // As test/fixtures/ai-v6.json records a doGenerate span.
  const AI_SDK_GENERATE: Attributes = {
    'ai.operationId': 'ai.generateText.doGenerate',
    'ai.model.provider': 'anthropic.messages',
    'ai.model.id': 'claude-sonnet-4-6',
    'gen_ai.system': 'anthropic.messages',
    'gen_ai.request.model': 'claude-sonnet-4-6',
  };
  const TEXTS = ['Summarise this [not json', '[{"role": "user", "content": "Summarise th'];

  // Defect: messages that are not JSON are dropped, though the README says they are kept as text.
  it.each(TEXTS)('are kept as one user message (GenAI): %s', async (text) => {
    const log = await storedLogOf('chat', { ...GENAI_CHAT, 'gen_ai.input.messages': text });
    expect(log, 'the stored log').toBeDefined();
    expect(log?.messages).toEqual([{ role: 'user', content: text }]);
  });

  // Defect: same for the AI SDK's `ai.prompt.messages`.
  it.each(TEXTS)('are kept as one user message (AI SDK doGenerate): %s', async (text) => {
    const log = await storedLogOf('ai.generateText.doGenerate', { ...AI_SDK_GENERATE, 'ai.prompt.messages': text });
    expect(log, 'the stored log').toBeDefined();
    expect(log?.messages).toEqual([{ role: 'user', content: text }]);
  });
});
