import { ExportResultCode } from '@opentelemetry/core';
import type { Dispatcher } from 'undici';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../helpers/fake-clock.js';
import { exportOnce } from '../helpers/harness.js';
import { RecordingAgent } from '../helpers/recording-agent.js';
import { testScope } from '../helpers/scope.js';
import { CHAT_ATTRIBUTES, chatSpans, recordSpans, startSpan } from '../helpers/spans.js';
import { until } from '../helpers/until.js';

const scope = testScope();

/** An agent that notes the answer timeout of each request it dispatches. */
class TimeoutRecordingAgent extends RecordingAgent {
  readonly timeouts: Array<number | null | undefined> = [];

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.timeouts.push(options.headersTimeout);
    return super.dispatch(options, handler);
  }
}

describe('forceFlush() during a retry wait', () => {
  // Defect: a wait already started (`Retry-After: 15`) was not cut short by the flush's cutoff:
  // the flush took the whole 15 s, then stored nothing.
  it('wakes the wait when its cutoff comes, and resolves then', async () => {
    const hl = await scope.server();
    hl.inject({ status: 503, retryAfter: '15' });
    const clock = new FakeClock({ sleepsWait: true });
    const exporter = scope.exporter(hl.url, {}, clock);
    // Should the wait not wake, the test's clean-up ends it.
    scope.defer(() => clock.advance(60_000));
    const results: ExportResultCode[] = [];
    exporter.export(chatSpans(1), (result) => results.push(result.code));
    await until(() => clock.sleeps.includes(15_000), 'the retry wait of 15 s');
    let flushed = false;
    const timersBefore = clock.timersSet.length;
    const flush = exporter.forceFlush().then(() => (flushed = true));
    // The flush sets its cutoff (a few seconds) as it starts: 5 s of the fake clock wake the wait.
    await until(() => clock.timersSet.length > timersBefore, "the flush's cutoff timer");
    clock.advance(5_000);
    await until(() => flushed, 'the flush, at its cutoff');
    await flush;
    expect(results, 'the export, called back').toHaveLength(1);
  });
});

describe('a request started during forceFlush()', () => {
  // Defect: a request started during a flush was given at most the flush's 5 s whatever
  // timeoutMillis said, so a healthy API answering in 6 s put the exporter into outage mode.
  it('is given the whole timeoutMillis', async () => {
    const hl = await scope.server();
    const dispatcher = new TimeoutRecordingAgent();
    scope.defer(() => dispatcher.close());
    const exporter = scope.exporter(hl.url, { dispatcher, timeoutMillis: 20_000, exportTimeoutMillis: 25_000 }, new FakeClock());
    // A chat whose parent is still running waits for it; the flush sends it, as a root.
    const rec = recordSpans();
    const agent = startSpan(rec.tracer, 'agent', { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.request.model': 'm' });
    startSpan(rec.tracer, 'chat', CHAT_ATTRIBUTES, agent).end();
    expect((await exportOnce(exporter, rec.spans())).code).toBe(ExportResultCode.SUCCESS);
    expect(dispatcher.dispatched, 'requests before the flush').toBe(0);
    await exporter.forceFlush();
    expect(hl.logs()).toHaveLength(1);
    expect(dispatcher.timeouts.length).toBeGreaterThan(0);
    expect(dispatcher.timeouts.every((timeout) => timeout === 20_000), `timeouts ${dispatcher.timeouts.join(', ')}`).toBe(true);
    // And the next export sends a request of its own (no outage was taken for one).
    expect((await exportOnce(exporter, chatSpans(1))).code).toBe(ExportResultCode.SUCCESS);
  });
});
