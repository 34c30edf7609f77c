/**
 * `--data FILE`: the stored logs as JSON lines, so a restart keeps what was received. Each log is
 * appended when stored and again, whole, when updated; on load the last line of an id wins. A
 * line that does not parse as a log is skipped and counted. Once the file would pass its size
 * bound, appending stops with one warning: logs keep arriving in memory, and the file keeps what
 * it has (rotating would drop the oldest logs from the next start instead).
 */
import { once } from 'node:events';
import { closeSync, createReadStream, createWriteStream, openSync, readSync, statSync, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { StoredLog, StoredV5Log } from './stored-logs.js';
import type { AnyStoredLog } from './log-summary.js';
import { V5_KINDS } from './v5-kinds.js';

export const DEFAULT_DATA_MAX_BYTES = 100 * 1024 * 1024;

export interface LoadedLogFile {
  /** The records in file order; a later record of an id replaces an earlier one when restored. */
  records: AnyStoredLog[];
  /** Lines that were not a log record. */
  skipped: number;
  /** The file's size, and whether it ends mid-line (a write cut short). */
  bytes: number;
  endsMidLine: boolean;
}

/** Reads the file; a missing file is an empty one. Never throws for content, only for an unreadable file. */
export async function loadLogFile(path: string): Promise<LoadedLogFile> {
  const size = fileSize(path);
  if (size === undefined) return { records: [], skipped: 0, bytes: 0, endsMidLine: false };
  const records: AnyStoredLog[] = [];
  let skipped = 0;
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const record = parseRecord(line);
    if (record) records.push(record);
    else skipped++;
  }
  return { records, skipped, bytes: size, endsMidLine: size > 0 && !endsWithNewline(path, size) };
}

function fileSize(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function endsWithNewline(path: string, size: number): boolean {
  const last = Buffer.alloc(1);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, last, 0, 1, size - 1);
  } finally {
    closeSync(fd);
  }
  return last[0] === 0x0a;
}

/** A line as a record, or undefined when it is not one (bad JSON, unknown API, missing ids). */
export function parseRecord(line: string): AnyStoredLog | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(value) || !isObject(value.log) || typeof value.log.id !== 'string') return undefined;
  const log = value.log;
  if (value.api === 'v4' && isObject(log.config) && typeof log.project_id === 'string') {
    return { api: 'v4', log: log as unknown as StoredLog };
  }
  const typeKnown = typeof log.type === 'string' && Object.hasOwn(V5_KINDS, log.type);
  if (value.api === 'v5' && typeKnown && typeof log.file_id === 'string' && typeof log.version_id === 'string') {
    return { api: 'v5', log: log as StoredV5Log };
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Appends records to the file, in order, until it would pass `maxBytes` or a write fails. */
export class LogFileWriter {
  private readonly _stream: WriteStream;
  private _bytes: number;
  private _stopped = false;

  constructor(
    private readonly _path: string,
    loaded: Pick<LoadedLogFile, 'bytes' | 'endsMidLine'>,
    private readonly _maxBytes: number,
    private readonly _warn: (message: string) => void,
  ) {
    this._bytes = loaded.bytes;
    this._stream = createWriteStream(_path, { flags: 'a' });
    this._stream.on('error', (error: NodeJS.ErrnoException) => this._stop(`cannot write ${_path} (${error.code ?? 'error'})`));
    // A line cut short by a crash is ended, so that the next record starts a line of its own.
    if (loaded.endsMidLine) this._write('\n');
  }

  append(record: AnyStoredLog): void {
    if (this._stopped) return;
    const line = `${JSON.stringify({ api: record.api, log: record.log })}\n`;
    if (this._bytes + Buffer.byteLength(line) > this._maxBytes) {
      return this._stop(`${this._path} reached its size bound of ${this._maxBytes} bytes`);
    }
    this._write(line);
  }

  /** Resolves once what was appended is written (or the file failed). */
  async close(): Promise<void> {
    this._stopped = true;
    if (this._stream.destroyed || this._stream.closed) return;
    const closed = once(this._stream, 'close').catch(() => undefined);
    this._stream.end();
    await closed;
  }

  private _write(text: string): void {
    this._bytes += Buffer.byteLength(text);
    this._stream.write(text);
  }

  private _stop(why: string): void {
    if (this._stopped) return;
    this._stopped = true;
    this._warn(`${why}: new logs are kept in memory only, no longer appended to the file`);
  }
}
