/**
 * A SQLite file with no room left: `PRAGMA max_page_count` on the store's own connection (which the
 * test holds) stops the file from growing, as a full disk does, without a root-only mount.
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LogStore, openStore, sqliteLibrary, StoreFullError } from '../src/index.js';
import type { SqlDriver } from '../src/store/sql-driver.js';
import { migrate } from '../src/store/sql-schema.js';
import { SqlTables } from '../src/store/sql-tables.js';
import { openSqliteDriver } from '../src/store/sqlite-driver.js';

const dir = mkdtempSync(join(tmpdir(), 'hl-store-full-'));
let files = 0;
const open: LogStore[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function storeAndConnection(): Promise<{ store: LogStore; driver: SqlDriver; path: string }> {
  const path = join(dir, `full-${++files}.db`);
  const driver = openSqliteDriver(path);
  await migrate(driver);
  const store = new LogStore(new SqlTables(driver));
  open.push(store);
  return { store, driver, path };
}

/** The file may not grow past the pages it has now. */
async function fill(driver: SqlDriver): Promise<void> {
  const [{ page_count }] = await driver.all('PRAGMA page_count');
  await driver.all(`PRAGMA max_page_count = ${Number(page_count)}`);
}

async function makeRoom(driver: SqlDriver): Promise<void> {
  await driver.all('PRAGMA max_page_count = 1073741823');
}

/** One request of `count` logs of about 2 KB, each with its own reference id. */
function request(name: string, count: number) {
  return Array.from({ length: count }, (_, i) => ({ project: name, reference_id: `${name}-${i}`, output: 'x'.repeat(2_000) }));
}

describe(`a full SQLite log store (${sqliteLibrary()})`, () => {
  it('refuses a request of several logs with a StoreFullError naming the file, and stores none of them', async () => {
    const { store, driver, path } = await storeAndConnection();
    await store.addV4(request('before', 3), 0);
    await fill(driver);
    const refused = store.addV4(request('refused', 40), 1);
    await expect(refused).rejects.toBeInstanceOf(StoreFullError);
    await expect(refused).rejects.toThrow(`${path} has no room for the write (database or disk is full); nothing of it was stored`);
    expect((await store.totals()).logs).toBe(3);
    expect(await store.hasReferenceId('refused-0')).toBe(false);
    expect(await store.hasReferenceId('refused-39')).toBe(false);
    expect(await driver.all("SELECT name FROM projects WHERE name = 'refused'")).toEqual([]);
  });

  it('refuses one large log with a StoreFullError when SQLite has rolled the whole transaction back itself', async () => {
    const { store, driver } = await storeAndConnection();
    await store.addV4(request('before', 1), 0);
    await fill(driver);
    await expect(store.addV4([{ project: 'large', reference_id: 'large-0', output: 'x'.repeat(20_000) }], 1)).rejects.toBeInstanceOf(StoreFullError);
    expect((await store.totals()).logs).toBe(1);
    expect(await store.hasReferenceId('large-0')).toBe(false);
    await makeRoom(driver);
    expect(await store.addV4(request('later', 1), 2)).toHaveLength(1);
  });

  it('takes writes again once there is room, with the file intact and every acknowledged log kept', async () => {
    const { store, driver, path } = await storeAndConnection();
    const [kept] = await store.addV4(request('before', 1), 0);
    await fill(driver);
    await expect(store.addV4(request('refused', 40), 1)).rejects.toBeInstanceOf(StoreFullError);
    await makeRoom(driver);
    const later = await store.addV4(request('later', 40), 2);
    expect(later).toHaveLength(40);
    expect(await driver.all('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    await store.close();
    open.splice(open.indexOf(store), 1);
    const reopened = await openStore({ db: path });
    open.push(reopened);
    expect((await reopened.totals()).logs).toBe(41);
    expect((await reopened.get('v4', kept.id))?.log.project).toBe('before');
    expect(await reopened.hasReferenceId('refused-0')).toBe(false);
  });

  it('refuses every kind of write when full, and takes them again once retention has deleted old logs', async () => {
    const path = join(dir, `full-${++files}.db`);
    const driver = openSqliteDriver(path);
    await migrate(driver);
    const store = new LogStore(new SqlTables(driver), { retainBytes: 0, retentionIntervalMillis: Infinity });
    open.push(store);
    const [old] = await store.addV4(request('old', 40), 0);
    await fill(driver);
    const large = 'x'.repeat(20_000);
    await expect(store.addV4([{ project: 'p', output: large }], 1)).rejects.toBeInstanceOf(StoreFullError);
    await expect(store.updateV4({ id: old.id }, { output: large })).rejects.toBeInstanceOf(StoreFullError);
    const prompt = { type: 'prompt' as const, body: { output: large }, destination: { newPath: 'p/chat' }, kernel: undefined, logId: undefined, logStatus: undefined };
    await expect(store.addV5(prompt, 1)).rejects.toBeInstanceOf(StoreFullError);
    await expect(store.importV5([{ id: 'log_x', type: 'prompt', file_id: 'pr_x', version_id: 'prv_x', request_index: -1, output: large }])).rejects.toBeInstanceOf(StoreFullError);
    expect((await store.totals()).logs).toBe(40);
    expect((await store.get('v4', old.id))?.log.output).toBe('x'.repeat(2_000));
    expect((await store.prune()).logs).toBe(40);
    expect(await store.addV4(request('after', 3), 2)).toHaveLength(3);
    expect(await driver.all('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  });
});
