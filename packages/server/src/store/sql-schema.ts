/**
 * The schema, versioned: `schema_version` holds the version a database is at, and each migration
 * takes it one step. A database that is not ours, or from a newer server, is refused untouched.
 */
import type { Dialect, SqlDriver } from './sql-driver.js';
import { StoreOpenError } from './types.js';

interface Migration {
  version: number;
  statements: (dialect: Dialect) => string[];
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    statements: (dialect) => [
      `CREATE TABLE logs (
        seq ${dialect === 'sqlite' ? 'INTEGER PRIMARY KEY AUTOINCREMENT' : 'BIGSERIAL PRIMARY KEY'},
        api TEXT NOT NULL, id TEXT NOT NULL, reference_id TEXT, parent_key TEXT, trace_id TEXT NOT NULL,
        kind TEXT NOT NULL, path TEXT, file_id TEXT, project TEXT, project_id TEXT, session_id TEXT,
        time_ms BIGINT NOT NULL, stored_ms BIGINT NOT NULL, has_error INTEGER NOT NULL, status TEXT,
        prompt_tokens BIGINT, output_tokens BIGINT, bytes BIGINT NOT NULL, request_index INTEGER, json TEXT NOT NULL)`,
      'CREATE UNIQUE INDEX logs_api_id ON logs (api, id)',
      'CREATE INDEX logs_reference ON logs (reference_id, seq)',
      'CREATE INDEX logs_trace ON logs (trace_id)',
      'CREATE INDEX logs_path ON logs (path, seq)',
      'CREATE INDEX logs_file ON logs (file_id, seq)',
      'CREATE INDEX logs_session ON logs (session_id, seq)',
      'CREATE INDEX logs_time ON logs (time_ms)',
      'CREATE INDEX logs_stored ON logs (stored_ms)',
      'CREATE TABLE projects (name TEXT PRIMARY KEY, id TEXT NOT NULL)',
      'CREATE TABLE sessions (name TEXT PRIMARY KEY, id TEXT NOT NULL)',
      'CREATE TABLE files (id TEXT PRIMARY KEY, type TEXT NOT NULL, path TEXT NOT NULL, version TEXT NOT NULL)',
      'CREATE INDEX files_path ON files (path)',
      'CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)',
    ],
  },
  {
    // Moving a trace (`api = ? AND trace_id IN (...)`) went by the (api, id) index over every log of
    // the API; a trace's logs are found by api and trace id, in arrival order.
    version: 2,
    statements: () => ['DROP INDEX logs_trace', 'CREATE INDEX logs_api_trace ON logs (api, trace_id, seq)'],
  },
  {
    // The log server's routes: a version's logs counted and found by version id, one API's logs
    // paged in arrival order, and judgments (kept on the log they judge) found by their own id.
    version: 3,
    statements: (dialect) => [
      'ALTER TABLE logs ADD COLUMN version_id TEXT',
      dialect === 'sqlite'
        ? "UPDATE logs SET version_id = json_extract(json, '$.version_id') WHERE api = 'v5'"
        : "UPDATE logs SET version_id = json::json ->> 'version_id' WHERE api = 'v5'",
      'CREATE INDEX logs_version ON logs (version_id, seq)',
      // The server's lists are of one API, newest or oldest first: without it a page of one API sorted every log.
      'CREATE INDEX logs_api_seq ON logs (api, seq)',
      'CREATE TABLE judgments (name TEXT PRIMARY KEY, id TEXT NOT NULL)',
    ],
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** Brings the database to SCHEMA_VERSION, or refuses it with a StoreOpenError naming it. */
export async function migrate(driver: SqlDriver): Promise<void> {
  const tables = await tableNames(driver);
  if (tables.length > 0 && !tables.includes('schema_version')) {
    throw new StoreOpenError(`${driver.where} holds tables that are not a log store's (no schema_version table); left untouched`);
  }
  await driver.transaction(async (connection) => {
    // Two servers starting on one PostgreSQL database migrate one after the other.
    if (driver.dialect === 'postgres') await connection.run("SELECT pg_advisory_xact_lock(hashtext('humanloop-log-server schema'))");
    await connection.run('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const rows = await connection.all('SELECT version FROM schema_version');
    const version = rows.length === 0 ? 0 : Number(rows[0].version);
    if (version > SCHEMA_VERSION) {
      throw new StoreOpenError(
        `${driver.where} has log store schema version ${version}, newer than this server's ${SCHEMA_VERSION}: upgrade the server; left untouched`,
      );
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= version) continue;
      for (const statement of migration.statements(driver.dialect)) await connection.run(statement);
    }
    if (rows.length === 0) await connection.run('INSERT INTO schema_version (version) VALUES (?)', [SCHEMA_VERSION]);
    else await connection.run('UPDATE schema_version SET version = ?', [SCHEMA_VERSION]);
  });
}

async function tableNames(driver: SqlDriver): Promise<string[]> {
  const sql =
    driver.dialect === 'sqlite'
      ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
      : 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()';
  return (await driver.all(sql)).map((row) => String(row.name));
}
