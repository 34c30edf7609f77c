import { describe, expect, it } from 'vitest';
import { exportOnce, storedLogs } from '../helpers/harness.js';
import { testScope } from '../helpers/scope.js';
import { CHAT_ATTRIBUTES, recordSpans, startSpan } from '../helpers/spans.js';

const scope = testScope();

describe('a v5 create whose answer is lost', () => {
  // Defect: the server stored the flow, the answer never came, and the create was sent again:
  // a second flow took the children and was completed, the first stayed `incomplete` for ever.
  it('leaves one flow, complete, with its child under it', async () => {
    const hl = await scope.server({ api: 'v5' });
    // The first request (the flow's create) is stored, but its answer comes after the client gave up.
    hl.inject({ slowBodyMillis: 1_000 });
    const exporter = scope.exporter(hl.url, { api: 'v5', timeoutMillis: 200 });
    const rec = recordSpans();
    const workflow = startSpan(rec.tracer, 'workflow', { 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.workflow.name': 'w' });
    startSpan(rec.tracer, 'chat', CHAT_ATTRIBUTES, workflow).end();
    workflow.end();
    await exportOnce(exporter, rec.spans());
    await exporter.forceFlush();
    const flows = storedLogs(hl, 'v5').filter((log) => log.spanId === workflow.spanContext().spanId);
    expect(flows.map((flow) => flow.log.log_status), 'the flows stored for the workflow').toEqual(['complete']);
    const chat = storedLogs(hl, 'v5').find((log) => log.spanId !== workflow.spanContext().spanId);
    expect(chat?.parentId).toBe(flows[0]?.id);
  });
});
