import { describe, expect, it } from 'vitest';
import { FakeClock } from '../helpers/fake-clock.js';
import { exportOnce } from '../helpers/harness.js';
import { testScope } from '../helpers/scope.js';
import { CHAT_ATTRIBUTES, recordSpans, startSpan } from '../helpers/spans.js';
import { until } from '../helpers/until.js';

const scope = testScope();

const PARENT_WAIT = 1_000;
const AGENT = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'a', 'gen_ai.request.model': 'gpt-4o' };

describe('a child waiting for a parent log kept through an outage', () => {
  // Defect: the child stayed among the logs that time out after parentWaitMillis, so once that
  // passed the one timer was set again and again for a time already past (about 900 a second).
  it('sets no timer for a time already past, however long the outage lasts', async () => {
    const hl = await scope.server();
    hl.down();
    const clock = new FakeClock();
    const exporter = scope.exporter(hl.url, { parentWaitMillis: PARENT_WAIT, exportTimeoutMillis: 2_000 }, clock);
    const rec = recordSpans();
    const agent = startSpan(rec.tracer, 'agent', AGENT);
    startSpan(rec.tracer, 'chat', CHAT_ATTRIBUTES, agent).end();
    agent.end();
    // Parent and child in one export: the parent's log is kept, its child waits for it.
    await exportOnce(exporter, rec.spans());
    await until(() => exporter.stats().bufferedLogs === 1 && exporter.stats().waitingLogs === 1, 'the parent kept, the child waiting');
    const before = clock.timersDueAtOnce;
    for (let step = 0; step < 100; step++) {
      clock.advance(200);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(clock.timersDueAtOnce - before, 'timers set for a time already past').toBe(0);
    // Nesting survives the outage: once the API is back the child goes under its parent.
    hl.up();
    clock.advance(60_000);
    await until(() => hl.logs().length === 2, 'both logs once the API is back');
    const child = hl.logs().find((log) => log.reference_id !== agent.spanContext().spanId);
    expect(child?.parent_reference_id).toBe(agent.spanContext().spanId);
  });
});
