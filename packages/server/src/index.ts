export * from './store/types.js';
export { LogStore, type StorageOptions } from './store/log-storage.js';
export { openMemoryStore, type MemoryStoreOptions } from './store/memory-store.js';
export type { RetentionOptions } from './store/retention.js';
export { openStore, type OpenStoreOptions } from './store/open-store.js';
export { sqliteLibrary } from './store/sqlite-driver.js';
export { SCHEMA_VERSION } from './store/sql-schema.js';
export { importExport, DEFAULT_BATCH_SIZE, MAX_NAMED_PROBLEMS, type ImportOptions, type ImportProgress, type ImportSummary } from './import/import-export.js';
export { mapExportLine, MAX_NESTING, type MappedLine } from './import/export-log.js';
export {
  formatLogTree,
  startLocalLogServer,
  validateLogBody,
  validateLogRequest,
  validateUpdate,
  type AnyStoredLog,
  type LocalApiVersion,
  type LocalLogServer,
  type LocalLogServerOptions,
  type LocalServerStats,
  type LogChange,
  type LogSummary,
  type RecordedRequest,
  type StoredLog,
} from './api/index.js';
