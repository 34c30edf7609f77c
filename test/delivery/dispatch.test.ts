import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode } from '@opentelemetry/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';
import { RecordingAgent } from '../helpers/recording-agent.js';
import { chatSpans } from '../helpers/spans.js';

let harness: Harness | undefined;
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => context.setGlobalContextManager(contextManager.enable()));
afterAll(() => context.disable());
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('requests and the connection pool', () => {
  it('keeps at most maxConcurrentRequests requests in flight', async () => {
    harness = await startHarness({ maxBatchSize: 1, maxConcurrentRequests: 2 }, { fakeClock: false });
    harness.server.setFaultPlan(() => ({ delayMillis: 40 }));
    expect(await harness.exportAll(chatSpans(6))).toEqual({ code: ExportResultCode.SUCCESS });
    const requests = harness.server.requests();
    expect(requests).toHaveLength(6);
    expect(mostAtOnce(requests)).toBe(2);
  });

  // Defect: the exporter's own connection pool held 16 connections, so more requests in flight than that queued in undici.
  it('opens as many connections as maxConcurrentRequests allows, beyond 16', async () => {
    harness = await startHarness({ maxBatchSize: 1, maxConcurrentRequests: 24 }, { fakeClock: false });
    harness.server.setFaultPlan(() => ({ delayMillis: 150 }));
    expect(await harness.exportAll(chatSpans(24))).toEqual({ code: ExportResultCode.SUCCESS });
    const requests = harness.server.requests();
    expect(mostAtOnce(requests)).toBe(24);
  });

  it("uses the user's dispatcher, under suppressed tracing, and never closes it", async () => {
    const dispatcher = new RecordingAgent();
    try {
      harness = await startHarness({ dispatcher });
      expect((await harness.exportAll(chatSpans(2))).code).toBe(ExportResultCode.SUCCESS);
      await harness.exporter.shutdown();
      expect(dispatcher.suppressed).toEqual([true]);
      expect(dispatcher.closed).toBe(false);
      expect(dispatcher.destroyed).toBe(false);
    } finally {
      await dispatcher.close();
    }
  });
});

/**
 * The most requests the server held at one moment: a sweep over their arrivals and answers (an
 * answer first when both fall on one instant). Counting the requests that overlap one request
 * would count two that followed each other during a slow one as at once.
 */
function mostAtOnce(requests: ReadonlyArray<{ receivedAt: number; answeredAt: number | undefined }>): number {
  const events = requests.flatMap((r) => [
    { at: r.receivedAt, change: 1 },
    { at: r.answeredAt!, change: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.change - b.change);
  let held = 0;
  let most = 0;
  for (const { change } of events) most = Math.max(most, (held += change));
  return most;
}
