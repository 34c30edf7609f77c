/** What the SQL tables need of a database: statements with `?` placeholders, and transactions. */
export type Dialect = 'sqlite' | 'postgres';

export type SqlRow = Record<string, unknown>;

export interface SqlConnection {
  all(sql: string, params?: readonly unknown[]): Promise<SqlRow[]>;
  /** Runs a statement; how many rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

export interface SqlDriver extends SqlConnection {
  readonly dialect: Dialect;
  /** Where the data is, for messages: a file path, or a database URL without its password. */
  readonly where: string;
  /** Runs `work` in a transaction that writes: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (connection: SqlConnection) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
