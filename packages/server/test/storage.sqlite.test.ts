import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, SCHEMA_VERSION } from '../src/index.js';
import { openSqliteDriver } from '../src/store/sqlite-driver.js';
import { sqliteEngine } from './helpers/engines.js';
import { storageSuite } from './storage-suite.js';

storageSuite(sqliteEngine());

describe('a SQLite log store file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hl-store-open-'));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keeps its logs across a close and reopen', async () => {
    const path = join(dir, 'kept.db');
    const first = await openStore({ db: path });
    const [created] = await first.addV4([{ project: 'p', output: 'kept' }], 0);
    await first.close();
    const second = await openStore({ db: path });
    expect((await second.get('v4', created.id))?.log.output).toBe('kept');
    await second.close();
  });

  it('refuses a file that is not a SQLite database, naming it, and leaves it as it was', async () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'my notes, not a database\n');
    await expect(openStore({ db: path })).rejects.toThrow(`${path} is not a SQLite database`);
    expect(readFileSync(path, 'utf8')).toBe('my notes, not a database\n');
  });

  it('refuses a SQLite database that is not a log store, naming it, and leaves its tables as they were', async () => {
    const path = join(dir, 'other.db');
    const other = openSqliteDriver(path);
    await other.run('CREATE TABLE notes (text TEXT)');
    await other.run("INSERT INTO notes (text) VALUES ('mine')");
    await other.close();
    await expect(openStore({ db: path })).rejects.toThrow(`${path} holds tables that are not a log store's`);
    const after = openSqliteDriver(path);
    expect(await after.all("SELECT name FROM sqlite_master WHERE type = 'table'")).toEqual([{ name: 'notes' }]);
    await after.close();
  });

  it('refuses a database from a newer schema, naming it and both versions', async () => {
    const path = join(dir, 'newer.db');
    await (await openStore({ db: path })).close();
    const raw = openSqliteDriver(path);
    await raw.run('UPDATE schema_version SET version = ?', [SCHEMA_VERSION + 1]);
    await raw.close();
    await expect(openStore({ db: path })).rejects.toThrow(`${path} has log store schema version ${SCHEMA_VERSION + 1}, newer than this server's ${SCHEMA_VERSION}`);
  });

  it('brings a schema 1 file to the current schema, keeping its logs and their traces', async () => {
    const path = join(dir, 'schema-1.db');
    const first = await openStore({ db: path });
    const [root, child] = await first.addV4([{ project: 'p', reference_id: 'r' }, { project: 'p', parent_reference_id: 'r' }], 0);
    await first.close();
    const raw = openSqliteDriver(path);
    await toSchema2(raw);
    await raw.run('DROP INDEX logs_api_trace');
    await raw.run('CREATE INDEX logs_trace ON logs (trace_id)');
    await raw.run('UPDATE schema_version SET version = 1');
    await raw.close();
    const second = await openStore({ db: path });
    const [late] = await second.addV4([{ project: 'p', parent_reference_id: 'r' }], 1);
    expect((await second.trace('v4', late.id))?.count).toBe(3);
    expect((await second.trace('v4', child.id))?.roots[0]?.record.log.id).toBe(root.id);
    await second.close();
    const after = openSqliteDriver(path);
    expect(await after.all('SELECT version FROM schema_version')).toEqual([{ version: SCHEMA_VERSION }]);
    await after.close();
  });

  it('brings a schema 2 file to the current schema: its v5 logs are counted by version', async () => {
    const path = join(dir, 'schema-2.db');
    const first = await openStore({ db: path });
    const { log } = await first.addV5({ type: 'tool', body: { path: 't' }, destination: { newPath: 't' }, kernel: { name: 't' }, logId: undefined, logStatus: undefined }, 0);
    await first.close();
    const raw = openSqliteDriver(path);
    await toSchema2(raw);
    await raw.close();
    const second = await openStore({ db: path });
    expect((await second.versionFacts(log.file_id, log.version_id)).versionLogs).toBe(1);
    await second.close();
  });

  it('refuses a damaged file, naming it', async () => {
    const path = join(dir, 'damaged.db');
    const store = await openStore({ db: path });
    await store.addV4([{ project: 'p' }], 0);
    await store.close();
    const bytes = readFileSync(path);
    bytes.fill(0xab, 100);
    writeFileSync(path, bytes);
    await expect(openStore({ db: path })).rejects.toThrow(path);
  });
});

/** Undoes schema 3 on a current file: what a file written by a schema 2 server holds. */
async function toSchema2(raw: ReturnType<typeof openSqliteDriver>): Promise<void> {
  await raw.run('DROP INDEX logs_version');
  await raw.run('DROP INDEX logs_api_seq');
  await raw.run('ALTER TABLE logs DROP COLUMN version_id');
  await raw.run('DROP TABLE judgments');
  await raw.run('UPDATE schema_version SET version = 2');
}
