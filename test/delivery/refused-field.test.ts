import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogRequest } from '../../src/index.js';
import { startHarness, type Harness } from '../helpers/harness.js';
import { CHAT_ATTRIBUTES, recordSpans, startSpan } from '../helpers/spans.js';

/**
 * A 422 that names one field of one log: that log goes again without the field (and says so in
 * `metadata.refused_fields`) rather than being lost, and the rest of the batch is stored too.
 */

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

type Breakage = (log: LogRequest) => LogRequest;

/** The strict local server refuses `inputs` that are not an object. */
const BAD_INPUTS: Breakage = (log) => ({ ...log, inputs: 'not an object' as unknown as Record<string, unknown> });
/** ...and a model config without a model; the config cannot be left out. */
const BAD_CONFIG: Breakage = (log) => ({ ...log, config: { ...log.config, model: '' } as LogRequest['config'] });

/** One chat span per entry, each log changed by its breakages (by `redact`), exported as one batch. */
async function exportBatch(breakages: Breakage[][]): Promise<{ h: Harness; ids: string[] }> {
  const rec = recordSpans();
  breakages.forEach((_, i) => startSpan(rec.tracer, `chat ${i}`, CHAT_ATTRIBUTES).end());
  const spans: ReadableSpan[] = rec.spans();
  const ids = spans.map((span) => span.spanContext().spanId);
  const byId = new Map(ids.map((id, i) => [id, breakages[i]]));
  harness = await startHarness({
    redact: (log) => (byId.get(log.reference_id!) ?? []).reduce((changed, breakage) => breakage(changed), log),
  });
  await harness.exportAll(spans);
  await harness.exporter.forceFlush();
  return { h: harness, ids };
}

function storedIds(h: Harness): string[] {
  return h.server.logs().map((log) => log.reference_id!).sort();
}

describe('a 422 naming one field of one log', () => {
  // Defect: the whole log is dropped when the API refuses one of its fields.
  it('sends that log again without the field, naming it in metadata.refused_fields', async () => {
    const { h, ids } = await exportBatch([[], [BAD_INPUTS], []]);
    expect(storedIds(h), 'stored logs').toEqual([...ids].sort());
    const log = h.server.logs().find((stored) => stored.reference_id === ids[1])!;
    expect(log).not.toHaveProperty('inputs');
    expect(log.metadata?.refused_fields).toEqual(['inputs']);
    expect(h.exporter.stats().spans).toMatchObject({ seen: 3, delivered: 3, dropped: {} });
  });

  // Defect: same; and a log refused even without the field (its config cannot be left out) is the only one dropped.
  it('drops only the logs that are refused even without the field', async () => {
    const { h, ids } = await exportBatch([[], [BAD_INPUTS], [BAD_CONFIG], [BAD_INPUTS, BAD_CONFIG]]);
    expect(storedIds(h), 'stored logs').toEqual([ids[0], ids[1]].sort());
    expect(h.server.logs().find((stored) => stored.reference_id === ids[1])?.metadata?.refused_fields).toEqual(['inputs']);
    expect(h.exporter.stats().spans).toMatchObject({ seen: 4, delivered: 2, dropped: { invalid: 2 } });
  });
});
