/**
 * A driver for a database that could not be reached when the store was opened: the first call that
 * reaches it creates or migrates the schema, then every call goes straight through. Until then each
 * call fails as the migration did (a StoreUnavailableError while the server is down; a StoreOpenError
 * if the database turns out not to be a log store's, or a newer one).
 */
import type { Dialect, SqlConnection, SqlDriver, SqlRow } from './sql-driver.js';
import { migrate } from './sql-schema.js';

export class SchemaOnFirstUse implements SqlDriver {
  private _migrated: Promise<void> | undefined;

  constructor(private readonly _driver: SqlDriver) {}

  get dialect(): Dialect {
    return this._driver.dialect;
  }

  get where(): string {
    return this._driver.where;
  }

  async all(sql: string, params?: readonly unknown[]): Promise<SqlRow[]> {
    await this._migrate();
    return this._driver.all(sql, params);
  }

  async run(sql: string, params?: readonly unknown[]): Promise<number> {
    await this._migrate();
    return this._driver.run(sql, params);
  }

  async transaction<T>(work: (connection: SqlConnection) => Promise<T>): Promise<T> {
    await this._migrate();
    return this._driver.transaction(work);
  }

  close(): Promise<void> {
    return this._driver.close();
  }

  /** One migration at a time for concurrent calls; a failed one is tried again by the next call. */
  private _migrate(): Promise<void> {
    this._migrated ??= migrate(this._driver).catch((error: unknown) => {
      this._migrated = undefined;
      throw error;
    });
    return this._migrated;
  }
}
