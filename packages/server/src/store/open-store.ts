/** `--db`: nothing for memory, `postgres://…` for PostgreSQL, a file path for SQLite. */
import { LogStore, type StorageOptions } from './log-storage.js';
import { openMemoryStore, type MemoryStoreOptions } from './memory-store.js';
import { openPostgresDriver } from './postgres-driver.js';
import type { SqlDriver } from './sql-driver.js';
import { SchemaOnFirstUse } from './schema-on-first-use.js';
import { migrate } from './sql-schema.js';
import { SqlTables } from './sql-tables.js';
import { openSqliteDriver } from './sqlite-driver.js';
import { StoreUnavailableError } from './types.js';

export interface OpenStoreOptions extends StorageOptions, MemoryStoreOptions {
  /** Where logs go; undefined or '' keeps them in memory. */
  db?: string;
  /**
   * A PostgreSQL server that cannot be reached at open: `fail` (the default) rejects with a
   * StoreUnavailableError; `retry` opens the store all the same, and each call fails with a
   * StoreUnavailableError until the server answers, when the first call to reach it creates or
   * migrates the schema (a server can start before its database and answer 503 until then).
   */
  whenUnreachable?: 'fail' | 'retry';
}

export async function openStore(options: OpenStoreOptions = {}): Promise<LogStore> {
  const db = options.db ?? '';
  if (db === '') return openMemoryStore(options).store;
  const driver = /^postgres(ql)?:\/\//.test(db) ? openPostgresDriver(db) : openSqliteDriver(db);
  return openSqlStore(driver, options);
}

async function openSqlStore(driver: SqlDriver, options: OpenStoreOptions): Promise<LogStore> {
  try {
    await migrate(driver);
  } catch (error) {
    if (error instanceof StoreUnavailableError && options.whenUnreachable === 'retry') return new LogStore(new SqlTables(new SchemaOnFirstUse(driver)), options);
    await driver.close().catch(() => undefined);
    throw error;
  }
  return new LogStore(new SqlTables(driver), options);
}
