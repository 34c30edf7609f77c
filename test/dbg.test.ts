import { it } from 'vitest';
import { exportOnce } from './helpers/harness.js';
import { testScope } from './helpers/scope.js';
import { chatSpans } from './helpers/spans.js';
import { FakeClock } from './helpers/fake-clock.js';
const scope = testScope();
it('dbg', async () => {
  const hl = await scope.server();
  hl.setFaultPlan(() => ({ status: 503 }));
  const clock = new FakeClock();
  const ex = scope.exporter(hl.url, { exportTimeoutMillis: 2_000, maxBufferedBytes: 64 * 1024 }, clock);
  for (let i = 0; i < 3; i++) { const r = await exportOnce(ex, chatSpans(20)); console.log(r.code, ex.stats().bufferedLogs); }
  hl.setFaultPlan(undefined);
  await ex.forceFlush();
  console.log(ex.stats(), hl.logs().length, hl.requests().map((r) => r.status).join(','));
});
