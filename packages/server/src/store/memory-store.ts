import { LogStore, type StorageOptions } from './log-storage.js';
import { DEFAULT_MAX_MEMORY_LOGS, MemoryTables } from './memory-tables.js';

export interface MemoryStoreOptions extends StorageOptions {
  /** Logs kept at most; the oldest goes to make room. */
  maxLogs?: number;
}

/** The memory engine and its fault switch. */
export function openMemoryStore(options: MemoryStoreOptions = {}): { store: LogStore; tables: MemoryTables } {
  const tables = new MemoryTables(options.maxLogs ?? DEFAULT_MAX_MEMORY_LOGS);
  return { store: new LogStore(tables, options), tables };
}
