import { ExportResultCode } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { mapSpan } from '../src/mapping/map-span.js';
import { loadFixture } from './helpers/fixtures.js';
import { DIALECTS, startHarness, type Harness } from './helpers/harness.js';
import { referenceIds, spanIds } from './helpers/logs.js';
import { MAPPER_OPTIONS } from './helpers/spans.js';

const SCENARIOS = [
  'ai-v4',
  'ai-v5',
  'ai-v6',
  'openai-traceloop',
  'openai-openinference',
  'anthropic',
  'langchain-openinference',
  'genai-parts',
  'ai-v6-embed',
  'ai-v7',
  'langchain-openai',
  'traceloop-entities',
  'genai-agents',
];

let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe.each(DIALECTS)('every fixture through the exporter to the local server (%s)', (api) => {
  describe.each(SCENARIOS)('fixture %s', (scenario) => {
    it.each([true, false])('is accepted whole, nested as captured (captureContent %s)', async (captureContent) => {
      const fixture = loadFixture(scenario);
      harness = await startHarness({ captureContent }, { api });
      const llmSpans = fixture.spans.filter((span) => mapSpan(span, { ...MAPPER_OPTIONS, captureContent }).log);
      expect(await harness.exportAll(fixture.spans)).toEqual({ code: ExportResultCode.SUCCESS });
      await harness.exporter.forceFlush();
      expect(harness.server.requests().filter((request) => request.status !== 200)).toEqual([]);
      const stored = harness.stored();
      expect(harness.storedSpanIds()).toEqual(spanIds(llmSpans));
      const exported = new Set(stored.map((log) => log.spanId));
      for (const span of llmSpans) {
        const log = stored.find((candidate) => candidate.spanId === span.spanContext().spanId)!;
        const parent = span.parentSpanContext?.spanId;
        expect(log.parentSpanId).toBe(parent && exported.has(parent) ? parent : undefined);
        if (log.parentSpanId) expect(log.parentId).toBe(stored.find((candidate) => candidate.spanId === parent)?.id);
        if (!captureContent) {
          for (const field of ['messages', 'output', 'output_message', 'inputs'] as const) expect(log.log).not.toHaveProperty(field);
        }
      }
      // A v5 flow that took children was completed once they were logged.
      if (api === 'v5') expect(stored.every((log) => log.log.log_status === undefined || log.log.log_status === 'complete')).toBe(true);
    });
  });
});

describe('one LLM call, one log', () => {
  it('folds the Anthropic SDK span into the OpenLLMetry span around it, keeping the union of both', async () => {
    const fixture = loadFixture('anthropic-traceloop');
    harness = await startHarness();
    expect(await harness.exportAll(fixture.spans)).toEqual({ code: ExportResultCode.SUCCESS });
    const logs = harness.server.logs();
    const outer = fixture.spans.filter((span) => span.instrumentationScope.name === '@traceloop/instrumentation-anthropic');
    expect(referenceIds(logs)).toEqual(spanIds(outer));
    const first = logs.find((log) => log.metadata?.response_id === 'msg_fake_1');
    expect(first).toMatchObject({
      config: { type: 'model', model: 'claude-sonnet-4-6', provider: 'anthropic', max_tokens: 256 },
      output: 'Let me check.',
      metadata: { finish_reason: 'tool_call', merged_span_ids: [expect.stringMatching(/^[0-9a-f]{16}$/)] },
    });
    expect(first?.messages).toEqual([
      { role: 'system', content: 'You are a weather assistant.' },
      { role: 'user', content: 'What is the weather in Paris?' },
    ]);
  });

  it('folds the inner span also when it was exported in an earlier batch', async () => {
    const fixture = loadFixture('anthropic-traceloop');
    harness = await startHarness();
    const [inner, outer] = fixture.spans;
    expect(await harness.exportAll([inner])).toEqual({ code: ExportResultCode.SUCCESS });
    expect(harness.server.logs()).toHaveLength(0);
    expect(await harness.exportAll([outer])).toEqual({ code: ExportResultCode.SUCCESS });
    expect(harness.server.logs().map((log) => log.reference_id)).toEqual([outer.spanContext().spanId]);
    expect(harness.exporter.stats().spans).toMatchObject({ seen: 2, delivered: 1, merged: 1 });
  });
});
