export * from './store/types.js';
export { LogStore, type StorageOptions } from './store/log-storage.js';
export { openMemoryStore, type MemoryStoreOptions } from './store/memory-store.js';
export type { RetentionOptions } from './store/retention.js';
