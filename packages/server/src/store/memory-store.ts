import { LogStore, type StorageOptions } from './log-storage.js';
import { DEFAULT_MAX_MEMORY_LOGS, MemoryTables } from './memory-tables.js';

export interface MemoryStoreOptions extends StorageOptions {
  /** Logs of each API kept at most; the oldest of that API goes to make room. */
  maxLogs?: number;
  /** Hears of each log pushed out to stay within maxLogs. */
  onPushedOut?: () => void;
}

/** The memory engine and its fault switch. */
export function openMemoryStore(options: MemoryStoreOptions = {}): { store: LogStore; tables: MemoryTables } {
  const tables = new MemoryTables(options.maxLogs ?? DEFAULT_MAX_MEMORY_LOGS, options.onPushedOut);
  return { store: new LogStore(tables, options), tables };
}
