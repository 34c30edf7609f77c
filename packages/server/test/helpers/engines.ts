/**
 * The engines the storage suite runs on. Each opens a fresh, empty store per test and can open a
 * second store on the same data (a restart, or another server on the same database).
 */
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.mjs';
import { openStore, sqliteLibrary, type LogStore, type StorageOptions } from '../../src/index.js';
import { openMemoryStore } from '../../src/store/memory-store.js';

export interface EngineUnderTest {
  name: string;
  /** Whether a second store sees the first's data (false: memory). */
  shared: boolean;
  /** A fresh, empty place to store logs, and a store on it. */
  fresh(options?: StorageOptions): Promise<EngineHandle>;
  /** Run once after all tests. */
  teardown?(): Promise<void>;
}

export interface EngineHandle {
  store: LogStore;
  /** Another store on the same data (memory: a new empty one). */
  another(options?: StorageOptions): Promise<LogStore>;
}

export const memoryEngine: EngineUnderTest = {
  name: 'memory',
  shared: false,
  async fresh(options) {
    return Promise.resolve({
      store: openMemoryStore(options).store,
      another: async (more) => Promise.resolve(openMemoryStore(more).store),
    });
  },
};

/** Polls an async condition until it holds: at most `timeoutMillis`, at most that many / 10 polls. */
export async function eventually(condition: () => Promise<boolean>, what: string, timeoutMillis = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMillis;
  for (let polls = 0; !(await condition()); polls++) {
    if (polls >= timeoutMillis / 10 || performance.now() >= deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** SQLite in a file under a temporary directory, removed after all tests. */
export function sqliteEngine(): EngineUnderTest {
  const root = mkdtempSync(join(tmpdir(), 'hl-store-'));
  let files = 0;
  return {
    name: `sqlite (${sqliteLibrary()})`,
    shared: true,
    async fresh(options) {
      const path = join(root, `logs-${++files}.db`);
      return { store: await openStore({ ...options, db: path }), another: (more) => openStore({ ...more, db: path }) };
    },
    async teardown() {
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** PostgreSQL on a throwaway cluster started for the suite; a new database per test. */
export function postgresEngine(): EngineUnderTest {
  let cluster: Promise<PostgresCluster> | undefined;
  return {
    name: 'postgres',
    shared: true,
    async fresh(options) {
      cluster ??= startPostgresCluster();
      const url = await (await cluster).createDatabase();
      return { store: await openStore({ ...options, db: url }), another: (more) => openStore({ ...more, db: url }) };
    },
    async teardown() {
      if (cluster) await (await cluster).stop();
    },
  };
}
