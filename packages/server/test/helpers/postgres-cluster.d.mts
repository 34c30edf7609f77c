/** Types of postgres-cluster.mjs (JavaScript so that the bench runs it too). */
export interface PostgresCluster {
  /** A new empty database's URL. */
  createDatabase(): Promise<string>;
  /** Stops the server as `pg_ctl stop -m fast` does (connections ended, data kept); resolves once it has exited. */
  stopServer(): Promise<void>;
  /** Starts it again on the same data and port; resolves once it answers. */
  startServer(): Promise<void>;
  /** Stops the server and deletes its data. */
  stop(): Promise<void>;
}

/** The newest installed PostgreSQL server's bin directory, or undefined when none is. */
export function serverBinaries(): string | undefined;

/** initdb and postgres on a free loopback port, in a temporary directory; throws when no server is installed. fsync is off unless asked. */
export function startPostgresCluster(options?: { fsync?: boolean }): Promise<PostgresCluster>;
