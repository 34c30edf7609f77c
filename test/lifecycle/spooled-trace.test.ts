import { describe, expect, it } from 'vitest';
import { exportOnce, settledSpans, storedLogs } from '../helpers/harness.js';
import { testScope } from '../helpers/scope.js';
import { CHAT_ATTRIBUTES, recordSpans, startSpan } from '../helpers/spans.js';

const scope = testScope();

const WORKFLOW = { 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.workflow.name': 'support' };

/** A workflow with two chat children, all ended, exported together. */
function workflowTrace() {
  const rec = recordSpans();
  const workflow = startSpan(rec.tracer, 'workflow', WORKFLOW);
  startSpan(rec.tracer, 'chat 1', CHAT_ATTRIBUTES, workflow).end();
  startSpan(rec.tracer, 'chat 2', CHAT_ATTRIBUTES, workflow).end();
  workflow.end();
  return { spans: rec.spans(), workflowId: workflow.spanContext().spanId };
}

describe('a trace spooled at shutdown during an outage (v5)', () => {
  // Defect: the flow was spooled as created `incomplete` and its children as roots; the next
  // process sent them so: the flow stayed incomplete for ever and its children hung under nothing.
  it('is delivered by the next process as a complete flow with its children under it', async () => {
    const dir = scope.tempDir();
    const hl = await scope.server({ api: 'v5' });
    hl.down();
    const first = scope.exporter(hl.url, { api: 'v5', spoolDir: dir, exportTimeoutMillis: 2_000 });
    const { spans, workflowId } = workflowTrace();
    await exportOnce(first, spans);
    await first.shutdown();
    expect(first.stats().spans).toMatchObject({ seen: 3, spooled: 3 });

    hl.up();
    const second = scope.exporter(hl.url, { api: 'v5', spoolDir: dir });
    await second.forceFlush();
    const stored = storedLogs(hl, 'v5');
    const flow = stored.find((log) => log.spanId === workflowId);
    expect(flow?.log, 'the flow').toMatchObject({ log_status: 'complete' });
    const children = stored.filter((log) => log.spanId !== workflowId);
    expect(children.map((log) => log.parentId), 'the parents of the children').toEqual([flow?.id, flow?.id]);
    expect(stored).toHaveLength(3);
  });
});

describe('stats().spans', () => {
  // Defect: a v5 flow with children was counted when it was created and again when it was
  // completed: seen 3, delivered 4.
  it('counts a v5 flow with children once', async () => {
    const hl = await scope.server({ api: 'v5' });
    const exporter = scope.exporter(hl.url, { api: 'v5' });
    await exportOnce(exporter, workflowTrace().spans);
    await exporter.forceFlush();
    const { spans } = exporter.stats();
    expect(spans).toMatchObject({ seen: 3, delivered: 3 });
    expect(settledSpans(spans)).toBe(spans.seen);
  });

  // Defect: logs an earlier process spooled were counted as this process's spans delivered,
  // though it never saw them: seen 0, delivered 2.
  it('does not count logs restored from a spool as spans this process saw', async () => {
    const dir = scope.tempDir();
    const hl = await scope.server();
    hl.down();
    const first = scope.exporter(hl.url, { spoolDir: dir, exportTimeoutMillis: 2_000 });
    const rec = recordSpans();
    startSpan(rec.tracer, 'chat 1', CHAT_ATTRIBUTES).end();
    startSpan(rec.tracer, 'chat 2', CHAT_ATTRIBUTES).end();
    await exportOnce(first, rec.spans());
    await first.shutdown();

    hl.up();
    const second = scope.exporter(hl.url, { spoolDir: dir });
    await second.forceFlush();
    expect(hl.logs()).toHaveLength(2);
    const { spans } = second.stats();
    expect(spans).toMatchObject({ seen: 0, delivered: 0 });
    expect(settledSpans(spans)).toBe(0);
  });
});
