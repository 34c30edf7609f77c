import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { importExport, type ImportProgress, type TraceNode } from '../src/index.js';
import { memoryEngine, postgresEngine, sqliteEngine, type EngineUnderTest } from './helpers/engines.js';
import { BAD_LINES, buildExportDir, PROMPT_LOGS } from './helpers/export-dir.js';

const built = buildExportDir();
afterAll(() => rm(built.dir, { recursive: true, force: true }));

function shape(node: TraceNode): unknown {
  return { id: node.record.log.id, children: node.children.map(shape) };
}

const engines: EngineUnderTest[] = [memoryEngine, sqliteEngine(), postgresEngine()];

describe.each(engines)('importing a Humanloop export into $name', (engine) => {
  afterAll(() => engine.teardown?.());

  it('stores every log once under its exported ids, rebuilds traces, names each skipped line, and stores nothing twice when imported again', async () => {
    const { store } = await engine.fresh({ retentionIntervalMillis: Infinity });
    try {
      const progress: ImportProgress[] = [];
      const first = await importExport(built.dir, store, { onProgress: (p) => progress.push(p) });
      expect(first).toMatchObject({ files: 4, lines: PROMPT_LOGS + 3 + BAD_LINES.length, added: built.logs, present: 0, problems: built.skipped.length });
      expect(first.named.map((problem) => problem.where)).toEqual(built.skipped);
      expect(first.named.slice(1).map((problem) => problem.reason)).toEqual(BAD_LINES.map((bad) => bad.reason));
      // Batches of 500: the last report is the end state, and there were reports before it.
      expect(progress.length).toBeGreaterThanOrEqual(3);
      expect(progress.at(-1)).toMatchObject({ added: built.logs, present: 0 });

      expect(await store.totals({ api: 'v5' })).toEqual({ logs: built.logs, errors: 0, promptTokens: PROMPT_LOGS * 10, outputTokens: PROMPT_LOGS * 5 });
      expect((await store.totals({ fileId: 'pr_export1' })).logs).toBe(PROMPT_LOGS + 1);
      const trace = await store.trace('v5', 'log_flow1_tool');
      expect(trace?.roots.map(shape)).toEqual([{ id: 'log_flow1', children: [{ id: 'log_flow1_prompt', children: [{ id: 'log_flow1_tool', children: [] }] }] }]);
      const child = (await store.get('v5', 'log_flow1_tool'))?.log;
      expect(child).toMatchObject({ type: 'tool', file_id: 'tl_export1', version_id: 'tlv_export1', trace_parent_id: 'log_flow1_prompt', path: 'support/search' });
      expect(child).not.toHaveProperty('trace_children');
      expect((await store.get('v5', 'log_p7'))?.log).toMatchObject({ type: 'prompt', file_id: 'pr_export1', version_id: 'prv_export2', output: 'answer 7' });
      expect((await store.get('v5', 'log_judge0'))?.log).toMatchObject({ type: 'evaluator', file_id: 'ev_export1', parent_id: 'log_p0', judgment: true });
      expect(await store.file('fl_export1')).toEqual({ id: 'fl_export1', type: 'flow', path: 'support/pipeline', version: 'flv_export1' });
      expect((await store.fileAtPath('support/answer'))?.id).toBe('pr_export1');

      const second = await importExport(built.dir, store, { batchSize: 333 });
      expect(second).toMatchObject({ added: 0, present: built.logs, problems: built.skipped.length });
      expect((await store.totals({ api: 'v5' })).logs).toBe(built.logs);
      expect((await store.trace('v5', 'log_flow1'))?.count).toBe(3);
    } finally {
      await store.close();
    }
  });
});
