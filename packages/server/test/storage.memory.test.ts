import { describe, expect, it } from 'vitest';
import { openMemoryStore } from '../src/index.js';
import { memoryEngine } from './helpers/engines.js';
import { storageSuite } from './storage-suite.js';

storageSuite(memoryEngine);

describe('the memory engine', () => {
  it('stores none of a request\'s logs when its write fails', async () => {
    const { store, tables } = openMemoryStore();
    tables.failNextWrite(new Error('disk full (injected)'));
    await expect(store.addV4([{ project: 'p' }, { project: 'p' }], 0)).rejects.toThrow('disk full');
    expect((await store.totals()).logs).toBe(0);
    await store.addV4([{ project: 'p' }], 1);
    expect((await store.totals()).logs).toBe(1);
    await store.close();
  });

  it('leaves traces and reference ids as they were when a write that joined a trace fails', async () => {
    const { store, tables } = openMemoryStore();
    const [parent] = await store.addV4([{ project: 'p', reference_id: 'parent' }], 0);
    tables.failNextWrite(new Error('disk full (injected)'));
    await expect(store.addV4([{ project: 'p', reference_id: 'child', parent_reference_id: 'parent' }], 1)).rejects.toThrow('disk full');
    expect([(await store.trace('v4', parent.id))?.count, await store.hasReferenceId('child')]).toEqual([1, false]);
    const [child] = await store.addV4([{ project: 'p', reference_id: 'child', parent_reference_id: 'parent' }], 2);
    expect((await store.trace('v4', child.id))?.roots.map((root) => [root.record.log.id, root.children.length])).toEqual([[parent.id, 1]]);
    await store.close();
  });

  it('keeps at most maxLogs logs, the oldest going first', async () => {
    const { store } = openMemoryStore({ maxLogs: 3 });
    const created = await store.addV4(Array.from({ length: 5 }, () => ({ project: 'p' })), 0);
    expect((await store.totals()).logs).toBe(3);
    expect(await store.get('v4', created[0].id)).toBeUndefined();
    expect(await store.get('v4', created[4].id)).toBeDefined();
    await store.close();
  });

  it('bounds each API apart, counting the logs it pushes out, and reads its logs synchronously', async () => {
    let heard = 0;
    const { store, tables } = openMemoryStore({ maxLogs: 2, onPushedOut: () => heard++ });
    await store.addV4([{ project: 'a' }, { project: 'b' }, { project: 'c' }], 0);
    await store.addV5({ type: 'tool', body: { path: 't' }, destination: { newPath: 't' }, kernel: {}, logId: undefined, logStatus: undefined }, 1);
    expect(tables.records('v4').map(({ log }) => log.project)).toEqual(['b', 'c']);
    expect([tables.count('v4'), tables.count('v5'), tables.count(), tables.pushedOut, heard]).toEqual([2, 1, 3, 1, 1]);
    tables.clear();
    expect([tables.count(), tables.pushedOut, await store.fileAtPath('t')]).toEqual([0, 0, undefined]);
    await store.close();
  });
});
