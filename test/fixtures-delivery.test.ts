import { ExportResultCode } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { mapSpan } from '../src/mapping/map-span.js';
import { loadFixture } from './helpers/fixtures.js';
import { startHarness, type Harness } from './helpers/harness.js';

const SCENARIOS = [
  'ai-v4',
  'ai-v5',
  'ai-v6',
  'openai-traceloop',
  'openai-openinference',
  'anthropic',
  'langchain-openinference',
  'genai-parts',
];

let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe.each(SCENARIOS)('fixture %s through the exporter to the local server', (scenario) => {
  it.each([true, false])('is accepted whole, nested as captured (captureContent %s)', async (captureContent) => {
    const fixture = loadFixture(scenario);
    harness = await startHarness({ captureContent });
    const llmSpans = fixture.spans.filter((span) => mapSpan(span, { project: undefined, source: undefined, captureContent }).log);
    expect(await harness.exportAll(fixture.spans)).toEqual({ code: ExportResultCode.SUCCESS });
    await harness.exporter.forceFlush();
    const logs = harness.server.logs();
    expect(harness.server.requests().every((request) => request.status === 200)).toBe(true);
    expect(logs.map((log) => log.reference_id).sort()).toEqual(llmSpans.map((span) => span.spanContext().spanId).sort());
    const exported = new Set(logs.map((log) => log.reference_id));
    for (const span of llmSpans) {
      const log = logs.find((candidate) => candidate.reference_id === span.spanContext().spanId)!;
      const parent = span.parentSpanContext?.spanId;
      expect(log.parent_reference_id).toBe(parent && exported.has(parent) ? parent : undefined);
      if (!captureContent) {
        for (const field of ['messages', 'output', 'output_message', 'inputs'] as const) expect(log).not.toHaveProperty(field);
      }
    }
  });
});
