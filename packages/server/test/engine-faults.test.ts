/** Which engine errors the store reports as out of reach or out of room, by the codes the drivers give. */
import { describe, expect, it } from 'vitest';
import { LogIdTakenError, StoreFullError, StoreUnavailableError } from '../src/index.js';
import { postgresFault, sqliteFault } from '../src/store/engine-faults.js';

const WHERE = 'postgres://app:***@db.internal:5432/logs';

function coded(code: string, message = `error ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

describe('PostgreSQL errors', () => {
  it.each([
    ['connection refused', coded('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.5:5432')],
    ['connection reset', coded('ECONNRESET')],
    ['a host that does not answer', coded('ETIMEDOUT')],
    ['a name that cannot be looked up now', coded('EAI_AGAIN')],
    ['shut down by an administrator (57P01)', coded('57P01', 'terminating connection due to administrator command')],
    ['the server crashed (57P02)', coded('57P02')],
    ['the server is starting up (57P03)', coded('57P03', 'the database system is starting up')],
    ['too many connections (53300)', coded('53300')],
    ['a connection failure (08006)', coded('08006')],
    ['a commit whose outcome is unknown (08007)', coded('08007')],
    ['a connection that ended', new Error('Connection terminated unexpectedly')],
    ['a connect that timed out', new Error('Connection terminated due to connection timeout')],
    ['no free connection in the pool in time', new Error('timeout exceeded when trying to connect')],
    ['every address of a host refused', new AggregateError([coded('ECONNREFUSED', 'connect ECONNREFUSED ::1:5432'), coded('ECONNREFUSED')], '')],
  ])('%s: a StoreUnavailableError naming PostgreSQL, its address and the cause', (_name, error) => {
    const fault = postgresFault(error, WHERE);
    expect(fault).toBeInstanceOf(StoreUnavailableError);
    expect((fault as Error).message).toMatch(/^PostgreSQL at postgres:\/\/app:\*\*\*@db\.internal:5432\/logs cannot be reached: (connect |error |terminating|the database|Connection|timeout)/);
    expect((fault as Error).cause).toBe(error);
  });

  it.each([
    ['the disk is full (53100)', coded('53100', 'could not extend file: No space left on device')],
    ['out of memory (53200)', coded('53200')],
  ])('%s: a StoreFullError', (_name, error) => {
    const fault = postgresFault(error, WHERE);
    expect(fault).toBeInstanceOf(StoreFullError);
    expect((fault as Error).message).toBe(`PostgreSQL at ${WHERE} has no room for the write: ${error.message}`);
  });

  it('a unique violation (23505), a log id another write took at the same moment: a LogIdTakenError', () => {
    const error = coded('23505', 'duplicate key value violates unique constraint "logs_api_id"');
    const fault = postgresFault(error, WHERE);
    expect(fault).toBeInstanceOf(LogIdTakenError);
    expect([(fault as Error).message, (fault as Error).cause]).toEqual([`PostgreSQL at ${WHERE}: a log of that id is stored already; nothing of the write was stored`, error]);
  });

  it.each([
    ['a syntax error (42601)', coded('42601')],
    ['a protocol violation (08P01)', coded('08P01')],
    ['a wrong password (28P01)', coded('28P01')],
    ['an error of our own', new RangeError('not a cursor this store handed out')],
  ])('%s: left as it is', (_name, error) => {
    expect(postgresFault(error, WHERE)).toBe(error);
  });
});

describe('SQLite errors', () => {
  it('a full file, as better-sqlite3 and node:sqlite report it, is a StoreFullError naming the file', () => {
    const betterSqlite = coded('SQLITE_FULL', 'database or disk is full');
    const nodeSqlite = Object.assign(coded('ERR_SQLITE_ERROR', 'database or disk is full'), { errcode: 13 });
    for (const error of [betterSqlite, nodeSqlite]) {
      const fault = sqliteFault(error, '/data/logs.db');
      expect(fault).toBeInstanceOf(StoreFullError);
      expect((fault as Error).message).toBe('/data/logs.db has no room for the write (database or disk is full); nothing of it was stored');
    }
  });

  it('other errors are left as they are', () => {
    const busy = Object.assign(coded('ERR_SQLITE_ERROR', 'database is locked'), { errcode: 5 });
    const constraint = coded('SQLITE_CONSTRAINT_UNIQUE');
    expect(sqliteFault(busy, '/data/logs.db')).toBe(busy);
    expect(sqliteFault(constraint, '/data/logs.db')).toBe(constraint);
  });
});
