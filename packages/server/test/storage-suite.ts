/** The storage tests, the same for every engine: what the log server relies on. */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LogIdTakenError, type LogStore, type StorageOptions, type StoredRecord, type StoredV5Log, type TraceNode, type V5Create } from '../src/index.js';
import { eventually, type EngineUnderTest } from './helpers/engines.js';

const DAY = 24 * 60 * 60 * 1000;

function v4(fields: Record<string, unknown> = {}) {
  return { project: 'demo', config: { type: 'model', model: 'gpt-4o-mini' }, output: 'hi', ...fields };
}

function v5Prompt(fields: Partial<V5Create> & { body?: Record<string, unknown> } = {}): V5Create {
  return {
    type: 'prompt',
    body: { path: 'demo/chat', prompt: { model: 'gpt-4o-mini' }, ...fields.body },
    destination: { newPath: 'demo/chat' },
    kernel: { model: 'gpt-4o-mini' },
    logId: undefined,
    logStatus: undefined,
    ...fields,
  };
}

function shape(node: TraceNode): unknown {
  return { id: node.record.log.id, children: node.children.map(shape) };
}

export function storageSuite(engine: EngineUnderTest): void {
  describe(`log storage on ${engine.name}`, () => {
    const open: LogStore[] = [];
    const fresh = async (options?: StorageOptions) => {
      const handle = await engine.fresh(options);
      open.push(handle.store);
      return {
        store: handle.store,
        another: async (more?: StorageOptions) => {
          const store = await handle.another(more);
          open.push(store);
          return store;
        },
      };
    };
    afterEach(async () => {
      await Promise.all(open.splice(0).map((store) => store.close()));
    });
    afterAll(async () => {
      await engine.teardown?.();
    });

    it('gives v4 logs ids, one project id per project name and one session id per session reference', async () => {
      const { store } = await fresh();
      const [a, b, c] = await store.addV4(
        [v4({ session_reference_id: 's1' }), v4({ session_reference_id: 's1' }), v4({ project: 'other' })],
        3,
      );
      expect(a.id).toMatch(/^data_/);
      expect(b.project_id).toBe(a.project_id);
      expect(c.project_id).not.toBe(a.project_id);
      expect(a.session_id).toMatch(/^sesh_/);
      expect(b.session_id).toBe(a.session_id);
      expect(c.session_id).toBeNull();
      const got = await store.get('v4', a.id);
      expect(got).toEqual({ api: 'v4', log: { ...v4({ session_reference_id: 's1' }), ...a, request_index: 3 } });
      expect(await store.get('v5', a.id)).toBeUndefined();
    });

    it('updates a v4 log by id and by reference id, and answers undefined for one it does not have', async () => {
      const { store } = await fresh();
      const [placeholder] = await store.addV4([v4({ reference_id: 'ref-1', output: undefined })], 0);
      expect(await store.hasReferenceId('ref-1')).toBe(true);
      expect(await store.hasReferenceId('ref-2')).toBe(false);
      const byReference = await store.updateV4({ referenceId: 'ref-1' }, { output: 'done', duration: 1.5 });
      expect(byReference).toMatchObject({ id: placeholder.id, output: 'done', duration: 1.5 });
      await store.updateV4({ id: placeholder.id }, { error: 'late failure' });
      expect((await store.get('v4', placeholder.id))?.log).toMatchObject({ output: 'done', error: 'late failure' });
      expect(await store.updateV4({ referenceId: 'ref-2' }, { output: 'x' })).toBeUndefined();
      expect(await store.updateV4({ id: 'data_missing' }, { output: 'x' })).toBeUndefined();
    });

    it('makes a v5 file at a new path, one version per kernel, and log ids that skip a client-chosen one', async () => {
      const { store } = await fresh();
      const first = await store.addV5(v5Prompt({ logId: 'log_2' }), 0);
      const file = await store.fileAtPath('demo/chat');
      expect(file).toEqual({ id: first.log.file_id, type: 'prompt', path: 'demo/chat', version: first.log.version_id });
      expect(await store.file(file!.id)).toEqual(file);
      const second = await store.addV5(v5Prompt({ destination: { fileId: file!.id }, kernel: { model: 'gpt-4o-mini', temperature: null } }), 1);
      expect(second.log.version_id).toBe(first.log.version_id);
      const third = await store.addV5(v5Prompt({ destination: { fileId: file!.id }, kernel: { model: 'gpt-4.1' } }), 2);
      expect(third.log.version_id).not.toBe(first.log.version_id);
      expect([first.log.id, second.log.id, third.log.id]).toEqual(['log_2', 'log_1', 'log_3']);
      expect((await store.fileAtPath('demo/chat'))?.version).toBe(third.log.version_id);
    });

    it('stamps a flow log\'s end when it is completed and moves its end to a later child\'s', async () => {
      const now = Date.parse('2026-12-06T10:00:00.000Z');
      const { store } = await fresh({ now: () => now });
      const flow = await store.addV5(
        { type: 'flow', body: { path: 'demo/flow', start_time: '2026-12-06T09:00:00.000Z' }, destination: { newPath: 'demo/flow' }, kernel: undefined, logId: undefined, logStatus: 'incomplete' },
        0,
      );
      const child = await store.addV5(v5Prompt({ body: { trace_parent_id: flow.log.id, end_time: '2026-12-06T09:30:00.000Z' } }), 1);
      expect(child.widened.map((log) => [log.id, log.end_time])).toEqual([[flow.log.id, '2026-12-06T09:30:00.000Z']]);
      const completed = await store.updateV5(flow.log.id, { log_status: 'complete' });
      expect(completed).toMatchObject({ log_status: 'complete', end_time: '2026-12-06T10:00:00.000Z' });
      expect(await store.updateV5('log_missing', { log_status: 'complete' })).toBeUndefined();
    });

    it('imports v5 logs under their own ids, file and version ids, once each, linking traces whichever of parent and child comes first', async () => {
      const { store } = await fresh();
      const imported = (fields: Partial<StoredV5Log> & { id: string }): StoredV5Log => ({
        type: 'prompt', file_id: 'pr_exp', version_id: 'prv_exp1', path: 'exp/chat', request_index: -1, ...fields,
      });
      const child = imported({ id: 'log_child', trace_parent_id: 'log_flow', start_time: '2026-01-01T00:00:01.000Z' });
      const judgment = imported({ id: 'log_judgment', type: 'evaluator', file_id: 'ev_exp', version_id: 'evv_exp', path: 'exp/judge', parent_id: 'log_child' });
      expect(await store.importV5([child, judgment, child])).toEqual({ added: 2, present: 1 });
      const flow = imported({ id: 'log_flow', type: 'flow', file_id: 'fl_exp', version_id: 'flv_exp', path: 'exp/flow', log_status: 'complete' });
      const grandchild = imported({ id: 'log_grandchild', type: 'tool', file_id: 'tl_exp', version_id: 'tlv_exp', path: 'exp/chat', trace_parent_id: 'log_child' });
      expect(await store.importV5([flow, grandchild])).toEqual({ added: 2, present: 0 });
      expect((await store.trace('v5', 'log_grandchild'))?.roots.map(shape)).toEqual([
        { id: 'log_flow', children: [{ id: 'log_child', children: [{ id: 'log_grandchild', children: [] }] }] },
      ]);
      expect(await store.get('v5', 'log_judgment')).toEqual({ api: 'v5', log: judgment });
      expect(await store.file('ev_exp')).toEqual({ id: 'ev_exp', type: 'evaluator', path: 'exp/judge', version: 'evv_exp' });
      // A second file at a path another has keeps no path; a known file keeps its version.
      expect(await store.file('tl_exp')).toEqual({ id: 'tl_exp', type: 'tool', path: '', version: 'tlv_exp' });
      expect(await store.importV5([imported({ id: 'log_later', version_id: 'prv_exp2' }), flow, child])).toEqual({ added: 1, present: 2 });
      expect((await store.fileAtPath('exp/chat'))?.version).toBe('prv_exp1');
      expect((await store.totals({ api: 'v5' })).logs).toBe(5);
      expect(await store.importV5([])).toEqual({ added: 0, present: 0 });
    });

    it('lists logs newest first by default, oldest first on request, page by page with no log twice', async () => {
      const { store } = await fresh();
      const created = await store.addV4(Array.from({ length: 7 }, (_, i) => v4({ output: `out ${i}` })), 0);
      const ids = created.map((log) => log.id);
      const walk = async (order: 'newest' | 'oldest') => {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 10; pages++) {
          const page = await store.list({ order, limit: 3, ...(cursor === undefined ? {} : { cursor }) });
          seen.push(...page.logs.map((record) => record.log.id));
          if (page.next === undefined) break;
          cursor = page.next;
        }
        return seen;
      };
      expect(await walk('newest')).toEqual([...ids].reverse());
      expect(await walk('oldest')).toEqual(ids);
      await expect(store.list({ cursor: 'not-a-cursor' })).rejects.toThrow(/cursor/);
    });

    it('filters by api, file, path, kind, project, session, time, error and text', async () => {
      const { store } = await fresh();
      const [model, tool, failed, , other] = await store.addV4(
        [
          v4({ created_at: '2026-12-01T00:00:00.000Z', session_id: 'sesh_a', messages: [{ role: 'user', content: 'Where is the "Needle"?' }] }),
          v4({ config: { type: 'tool', name: 'search' }, created_at: '2026-12-02T00:00:00.000Z' }),
          v4({ error: 'rate limited', created_at: '2026-12-03T00:00:00.000Z' }),
          v4({ created_at: '2026-12-04T00:00:00.000Z' }),
          v4({ project: 'other', created_at: '2026-12-05T00:00:00.000Z' }),
        ],
        0,
      );
      const prompt = await store.addV5(v5Prompt(), 1);
      await store.addV5({ ...v5Prompt(), type: 'tool', body: { path: 'demo/tool' }, destination: { newPath: 'demo/tool' }, kernel: undefined }, 2);
      const ids = async (filter: Parameters<LogStore['list']>[0]) => (await store.list({ ...filter, order: 'oldest' })).logs.map((r) => r.log.id);
      expect(await ids({ filter: { api: 'v5' } })).toHaveLength(2);
      expect(await ids({ filter: { fileId: prompt.log.file_id } })).toEqual([prompt.log.id]);
      expect(await ids({ filter: { path: 'demo/chat' } })).toEqual([prompt.log.id]);
      expect(await ids({ filter: { api: 'v4', kind: 'tool' } })).toEqual([tool.id]);
      expect(await ids({ filter: { project: 'other' } })).toEqual([other.id]);
      expect(await ids({ filter: { project: other.project_id } })).toEqual([other.id]);
      expect(await ids({ filter: { sessionId: 'sesh_a' } })).toEqual([model.id]);
      const since = Date.parse('2026-12-02T00:00:00.000Z');
      const until = Date.parse('2026-12-04T00:00:00.000Z');
      expect(await ids({ filter: { api: 'v4', since, until } })).toEqual([tool.id, failed.id]);
      expect(await ids({ filter: { error: true } })).toEqual([failed.id]);
      expect(await ids({ filter: { api: 'v4', error: false } })).toHaveLength(4);
      expect(await ids({ filter: { text: 'the "needle"' } })).toEqual([model.id]);
      expect(await ids({ filter: { text: '100%' } })).toEqual([]);
    });

    it('builds a trace from its root, with a child stored before its parent', async () => {
      const { store } = await fresh();
      const [orphan] = await store.addV4([v4({ reference_id: 'grandchild', parent_reference_id: 'child', created_at: '2026-12-06T00:00:03.000Z' })], 0);
      const [root] = await store.addV4([v4({ reference_id: 'root', config: { type: 'agent', agent_class: 'Planner' } })], 1);
      const [child, sibling] = await store.addV4(
        [
          v4({ reference_id: 'child', parent_reference_id: 'root', created_at: '2026-12-06T00:00:02.000Z' }),
          v4({ trace_parent_id: root.id, created_at: '2026-12-06T00:00:01.000Z' }),
        ],
        2,
      );
      await store.addV4([v4({ reference_id: 'unrelated' })], 3);
      const trace = await store.trace('v4', orphan.id);
      expect(trace?.count).toBe(4);
      expect(trace?.roots.map(shape)).toEqual([
        { id: root.id, children: [{ id: sibling.id, children: [] }, { id: child.id, children: [{ id: orphan.id, children: [] }] }] },
      ]);
      expect(await store.trace('v4', 'data_missing')).toBeUndefined();
      expect((await store.list({ filter: { traceId: root.id } })).logs).toHaveLength(4);
    });

    it('links a parent and its child stored in one request, whichever comes first', async () => {
      const { store } = await fresh();
      const [parent, child] = await store.addV4([v4({ reference_id: 'p1' }), v4({ parent_reference_id: 'p1' })], 0);
      const [early, late] = await store.addV4([v4({ parent_reference_id: 'p2' }), v4({ reference_id: 'p2' })], 1);
      expect((await store.trace('v4', child.id))?.roots.map(shape)).toEqual([{ id: parent.id, children: [{ id: child.id, children: [] }] }]);
      expect((await store.trace('v4', early.id))?.roots.map(shape)).toEqual([{ id: late.id, children: [{ id: early.id, children: [] }] }]);
    });

    it('takes children stored in earlier requests into a trace whose logs come later, in any order within a request', async () => {
      const { store } = await fresh();
      const [leaf] = await store.addV4([v4({ reference_id: 'leaf', parent_reference_id: 'middle' })], 0);
      const [other] = await store.addV4([v4({ parent_reference_id: 'top' })], 1);
      const [middle, top] = await store.addV4([v4({ reference_id: 'middle', parent_reference_id: 'top' }), v4({ reference_id: 'top' })], 2);
      const trace = await store.trace('v4', leaf.id);
      expect(trace?.count).toBe(4);
      expect(trace?.roots.map(shape)).toEqual([
        { id: top.id, children: [{ id: other.id, children: [] }, { id: middle.id, children: [{ id: leaf.id, children: [] }] }] },
      ]);
      expect((await store.list({ filter: { traceId: top.id } })).logs).toHaveLength(4);
    });

    it('stores a request of 250 logs, all children of the last, as one trace', async () => {
      const { store } = await fresh();
      const logs = Array.from({ length: 250 }, (_, i) => (i === 249 ? v4({ reference_id: 'big-root' }) : v4({ reference_id: `big-${i}`, parent_reference_id: 'big-root' })));
      const created = await store.addV4(logs, 0);
      const trace = await store.trace('v4', created[0].id);
      expect(trace?.count).toBe(250);
      expect(trace?.roots.map((root) => [root.record.log.id, root.children.length])).toEqual([[created[249].id, 249]]);
    });

    it('counts logs and errors and sums tokens under a filter', async () => {
      const { store } = await fresh();
      await store.addV4(
        [v4({ prompt_tokens: 20, output_tokens: 5 }), v4({ prompt_tokens: 7, output_tokens: 3, error: 'boom' }), v4({ project: 'other', prompt_tokens: 100 })],
        0,
      );
      expect(await store.totals({ project: 'demo' })).toEqual({ logs: 2, errors: 1, promptTokens: 27, outputTokens: 8 });
      expect(await store.totals()).toEqual({ logs: 3, errors: 1, promptTokens: 127, outputTokens: 8 });
    });

    it('restores records: one of the same id is replaced, and its project, session and file keep their ids', async () => {
      const { store } = await fresh();
      const v4Record: StoredRecord = {
        api: 'v4',
        log: { ...v4({ session_reference_id: 's9' }), id: 'data_old', project_id: 'pr_old', session_id: 'sesh_old', request_index: 4 },
      };
      await store.restore(v4Record);
      await store.restore({ ...v4Record, log: { ...v4Record.log, output: 'updated' } });
      expect((await store.get('v4', 'data_old'))?.log.output).toBe('updated');
      const [next] = await store.addV4([v4({ session_reference_id: 's9' })], 5);
      expect(next).toMatchObject({ project_id: 'pr_old', session_id: 'sesh_old' });
      await store.restore({ api: 'v5', log: { id: 'log_9', type: 'prompt', file_id: 'pr_77', version_id: 'prv_abc', path: 'kept/path', request_index: 1 } });
      expect(await store.fileAtPath('kept/path')).toEqual({ id: 'pr_77', type: 'prompt', path: 'kept/path', version: 'prv_abc' });
      expect((await store.totals()).logs).toBe(3);
    });

    it('prunes logs stored more than retainDays ago and the oldest past retainBytes', async () => {
      let now = Date.parse('2026-12-01T00:00:00.000Z');
      // No background pass: it would race the prune() whose count is checked.
      const manual = { retentionIntervalMillis: Infinity };
      const { store } = await fresh({ now: () => now, retainDays: 2, ...manual });
      const [old] = await store.addV4([v4()], 0);
      now += 3 * DAY;
      const [recent] = await store.addV4([v4()], 1);
      expect(await store.prune()).toMatchObject({ logs: 1 });
      expect(await store.get('v4', old.id)).toBeUndefined();
      expect(await store.get('v4', recent.id)).toBeDefined();

      const bySize = (await fresh({ retainBytes: 1, ...manual })).store;
      const created = await bySize.addV4(Array.from({ length: 5 }, () => v4({ output: 'x'.repeat(100) })), 0);
      const pruned = await bySize.prune();
      expect(pruned.logs).toBe(5);
      expect(pruned.bytes).toBeGreaterThan(500);
      expect(await bySize.get('v4', created[4].id)).toBeUndefined();
    });

    it('prunes in the background after writes, without being asked', async () => {
      const { store } = await fresh({ retainBytes: 2_000, retentionIntervalMillis: 0 });
      for (let i = 0; i < 10; i++) await store.addV4([v4({ output: 'y'.repeat(500) })], i);
      await eventually(async () => (await store.totals()).logs <= 4, 'the background pass to bring the logs under 2,000 bytes');
      const newest = (await store.list({ limit: 1 })).logs[0];
      expect(newest?.log.request_index).toBe(9);
    });

    it('keeps feedback on the v4 log it names, takes away feedback of a type when unset, and leaves out feedback on no log', async () => {
      const { store } = await fresh();
      const [log] = await store.addV4([v4()], 0);
      const given = await store.addFeedback([
        { type: 'rating', value: 'good', data_id: log.id },
        { type: 'comment', value: 'fine', data_id: log.id },
        { type: 'rating', value: 'bad', data_id: 'data_missing' },
      ]);
      expect(given.map(({ feedback }) => [feedback.type, feedback.value])).toEqual([['rating', 'good'], ['comment', 'fine']]);
      expect(given[0].feedback.id).toMatch(/^ann_/);
      expect(given[1].log.feedback).toEqual([given[0].feedback, given[1].feedback]);
      await store.addFeedback([{ type: 'rating', data_id: log.id, unset: true }]);
      expect((await store.get('v4', log.id))?.log.feedback).toEqual([given[1].feedback]);
    });

    it('keeps an evaluator log on the v5 log it judges, found by its id, with one evaluator file per path and one version per spec', async () => {
      const { store } = await fresh();
      const judged = await store.addV5(v5Prompt(), 0);
      const spec = { evaluator_type: 'external', return_type: 'number' };
      const first = await store.addEvaluatorLog({ body: { path: 'e/Relevance', judgment: 4 }, parentId: judged.log.id, destination: { newPath: 'e/Relevance' }, spec, logId: undefined });
      expect(first?.log).toMatchObject({ id: 'evlog_1', type: 'evaluator', parent_id: judged.log.id, judgment: 4, file_id: 'ev_1', version_id: expect.stringMatching(/^evv_/) });
      expect(await store.fileAtPath('e/Relevance')).toEqual({ id: 'ev_1', type: 'evaluator', path: 'e/Relevance', version: first?.log.version_id });
      const second = await store.addEvaluatorLog({ body: { judgment: 2 }, parentId: judged.log.id, destination: { fileId: 'ev_1' }, spec: undefined, logId: 'mine' });
      expect(second?.log).toMatchObject({ id: 'mine', file_id: 'ev_1', version_id: first?.log.version_id });
      expect((await store.get('v5', judged.log.id))?.log.evaluator_logs).toEqual([first?.log, second?.log]);
      expect(await store.evaluatorLog('mine')).toEqual(second?.log);
      expect(await store.evaluatorLog('evlog_9')).toBeUndefined();
      expect(await store.addEvaluatorLog({ body: {}, parentId: 'log_missing', destination: { fileId: 'ev_1' }, spec: undefined, logId: undefined })).toBeUndefined();
    });

    it('refuses a v5 log or a judgment whose chosen id is taken with a LogIdTakenError, storing nothing of it', async () => {
      const { store } = await fresh();
      const first = await store.addV5(v5Prompt({ logId: 'chosen' }), 0);
      await expect(store.addV5(v5Prompt({ logId: 'chosen', body: { output: 'second' } }), 1)).rejects.toBeInstanceOf(LogIdTakenError);
      const judgment = { body: {}, parentId: first.log.id, destination: { newPath: 'e/x' }, spec: { s: 1 }, logId: 'judged' } as const;
      await store.addEvaluatorLog(judgment);
      await expect(store.addEvaluatorLog(judgment)).rejects.toBeInstanceOf(LogIdTakenError);
      await expect(store.addEvaluatorLog({ ...judgment, logId: 'chosen' })).rejects.toBeInstanceOf(LogIdTakenError);
      expect((await store.totals()).logs).toBe(1);
      expect((await store.get('v5', 'chosen'))?.log.evaluator_logs).toHaveLength(1);
    });

    it('answers a version\'s oldest and newest logs and the counts of its and its file\'s logs, and stamps created_at when a v5 body has none', async () => {
      const now = Date.parse('2026-12-06T10:00:00.000Z');
      const { store } = await fresh({ now: () => now });
      const a = await store.addV5(v5Prompt({ body: { created_at: '2026-12-01T00:00:00.000Z' } }), 0);
      const b = await store.addV5(v5Prompt({ destination: { fileId: a.log.file_id }, kernel: undefined }), 1);
      const c = await store.addV5(v5Prompt({ destination: { fileId: a.log.file_id }, kernel: { model: 'gpt-4.1' } }), 2);
      expect(b.log.created_at).toBe('2026-12-06T10:00:00.000Z');
      const facts = await store.versionFacts(a.log.file_id, a.log.version_id);
      expect([facts.first?.id, facts.last?.id, facts.versionLogs, facts.fileLogs]).toEqual([a.log.id, b.log.id, 2, 3]);
      expect((await store.versionFacts(a.log.file_id, c.log.version_id)).versionLogs).toBe(1);
      expect(await store.versionFacts('pr_missing', 'prv_missing')).toEqual({ first: undefined, last: undefined, versionLogs: 0, fileLogs: 0 });
    });

    if (engine.shared) {
      it('gives a project the id a second store gives it after a write that named it first failed', async () => {
        const { store, another } = await fresh();
        // A value JSON cannot hold fails the write after the project's id was chosen: all of it is undone.
        await expect(store.addV4([v4({ project: 'rolled-back' }), v4({ output: 1n })], 0)).rejects.toThrow();
        const second = await another();
        const [there] = await second.addV4([v4({ project: 'rolled-back' })], 1);
        const [here] = await store.addV4([v4({ project: 'rolled-back' })], 2);
        expect(here.project_id).toBe(there.project_id);
      });

      it('acts as one with a second store on the same data: a log written through one is read, updated and completed through the other', async () => {
        const { store, another } = await fresh();
        const second = await another();
        const [placeholder] = await store.addV4([v4({ reference_id: 'shared-ref', project: 'shared' })], 0);
        expect((await second.get('v4', placeholder.id))?.log.reference_id).toBe('shared-ref');
        await second.updateV4({ referenceId: 'shared-ref' }, { output: 'completed elsewhere' });
        expect((await store.get('v4', placeholder.id))?.log.output).toBe('completed elsewhere');
        const [again] = await second.addV4([v4({ project: 'shared' })], 1);
        expect(again.project_id).toBe(placeholder.project_id);
        const flow = await store.addV5({ type: 'flow', body: { path: 'f' }, destination: { newPath: 'f' }, kernel: undefined, logId: undefined, logStatus: 'incomplete' }, 2);
        const fromSecond = await second.addV5(v5Prompt(), 3);
        expect(fromSecond.log.id).not.toBe(flow.log.id);
        expect((await second.updateV5(flow.log.id, { log_status: 'complete' }))?.log_status).toBe('complete');
        expect((await store.get('v5', flow.log.id))?.log.log_status).toBe('complete');
      });
    }
  });
}
