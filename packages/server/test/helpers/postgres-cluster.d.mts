/** Types of postgres-cluster.mjs (JavaScript so that the bench runs it too). */
export interface PostgresCluster {
  /** A new empty database's URL. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

/** The newest installed PostgreSQL server's bin directory, or undefined when none is. */
export function serverBinaries(): string | undefined;

/** initdb and postgres on a free loopback port, in a temporary directory; throws when no server is installed. fsync is off unless asked. */
export function startPostgresCluster(options?: { fsync?: boolean }): Promise<PostgresCluster>;
