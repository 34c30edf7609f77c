/**
 * Which engine errors are faults of the engine rather than of the call: it cannot be reached
 * (StoreUnavailableError) or has no room (StoreFullError). Every other error is left as it is.
 * Messages name the engine and where it is (a URL without its password), never a statement's values.
 */
import { LogIdTakenError, StoreFullError, StoreUnavailableError } from './types.js';

/** Node's codes for a connection refused, dropped or never answered. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EPIPE', 'EAI_AGAIN']);
/** SQLSTATEs: shut down by an administrator, after a crash, not accepting connections yet, too many connections. */
const POSTGRES_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300']);
/** `pg`'s own errors, which carry no code: a connection that ended, or a connect that timed out. */
const PG_CONNECTION_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|timeout expired|Client has encountered a connection error)/;
/** SQLite's primary result code for "database or disk is full" (node:sqlite gives it as `errcode`). */
const SQLITE_FULL = 13;
/** A unique index refused a row: the only one a write can break is a log's (api, id), every other key is written ON CONFLICT. */
const POSTGRES_UNIQUE_VIOLATION = '23505';

export function postgresFault(error: unknown, where: string): unknown {
  if (postgresUnavailable(error)) return new StoreUnavailableError(`PostgreSQL at ${where} cannot be reached: ${messageOf(error)}`, { cause: error });
  if (codeOf(error).startsWith('53')) return new StoreFullError(`PostgreSQL at ${where} has no room for the write: ${messageOf(error)}`, { cause: error });
  if (codeOf(error) === POSTGRES_UNIQUE_VIOLATION) return new LogIdTakenError(`PostgreSQL at ${where}: a log of that id is stored already; nothing of the write was stored`, { cause: error });
  return error;
}

export function sqliteFault(error: unknown, where: string): unknown {
  const errcode = (error as { errcode?: unknown } | null | undefined)?.errcode;
  const full = codeOf(error) === 'SQLITE_FULL' || (typeof errcode === 'number' && (errcode & 0xff) === SQLITE_FULL);
  return full ? new StoreFullError(`${where} has no room for the write (${messageOf(error)}); nothing of it was stored`, { cause: error }) : error;
}

function postgresUnavailable(error: unknown): boolean {
  const code = codeOf(error);
  if (NETWORK_CODES.has(code) || POSTGRES_UNAVAILABLE.has(code)) return true;
  // Class 08, connection exceptions; not 08P01, a protocol violation (a fault of the client, not of the connection).
  if (code.startsWith('08') && code !== '08P01') return true;
  if (code === '' && error instanceof Error && PG_CONNECTION_MESSAGES.test(error.message)) return true;
  // A host name with several addresses: one error per address tried.
  return error instanceof AggregateError && error.errors.some(postgresUnavailable);
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : '';
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  if (message !== '') return message;
  // Node's error for a host name whose every address failed has no message: its first address's has.
  if (error instanceof AggregateError && error.errors.length > 0) return messageOf(error.errors[0]);
  return codeOf(error) || String(error);
}
