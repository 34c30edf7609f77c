/** `--db`: nothing for memory, `postgres://…` for PostgreSQL, a file path for SQLite. */
import { LogStore, type StorageOptions } from './log-storage.js';
import { openMemoryStore, type MemoryStoreOptions } from './memory-store.js';
import { openPostgresDriver } from './postgres-driver.js';
import type { SqlDriver } from './sql-driver.js';
import { migrate } from './sql-schema.js';
import { SqlTables } from './sql-tables.js';
import { openSqliteDriver } from './sqlite-driver.js';

export interface OpenStoreOptions extends StorageOptions, MemoryStoreOptions {
  /** Where logs go; undefined or '' keeps them in memory. */
  db?: string;
}

export async function openStore(options: OpenStoreOptions = {}): Promise<LogStore> {
  const db = options.db ?? '';
  if (db === '') return openMemoryStore(options).store;
  const driver = /^postgres(ql)?:\/\//.test(db) ? openPostgresDriver(db) : openSqliteDriver(db);
  return openSqlStore(driver, options);
}

async function openSqlStore(driver: SqlDriver, options: StorageOptions): Promise<LogStore> {
  try {
    await migrate(driver);
  } catch (error) {
    await driver.close().catch(() => undefined);
    throw error;
  }
  return new LogStore(new SqlTables(driver), options);
}
