import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutgoingLog } from '../delivery/dialect.js';
import { jsonOf, toOutgoing } from '../log/encoding.js';
import { describeError, logger } from '../shared/diag.js';
import { parseJson } from '../shared/json.js';

const SUFFIX = '.humanloop-spool.ndjson';

/** A log kept for a later attempt, and when it first failed to go out (its age counts from there). */
export interface Kept {
  item: OutgoingLog;
  since: number;
}

/**
 * Logs written at shutdown for the next process: one file per shutdown (more when larger than
 * `maxFileBytes`), one JSON object per line. A file is written under a temporary name and
 * renamed, so a reader never sees half of one; it is read back asynchronously, at most
 * `maxFileBytes` in all, and deleted only once every log in it is delivered, dropped or written
 * again: a crash in between sends its logs again rather than losing them.
 */
export class Spool {
  /** The file each log read back came from, and how many of each file's logs are unresolved. */
  private readonly _fileOf = new Map<string, string>();
  private readonly _unresolved = new Map<string, number>();

  constructor(
    private readonly _dir: string,
    private readonly _maxFileBytes: number,
  ) {}

  /** Reads spool files, oldest first, as long as they fit in `budgetBytes` together. */
  async load(budgetBytes: number): Promise<Kept[]> {
    const kept: Kept[] = [];
    let budget = budgetBytes;
    for (const name of await spoolFiles(this._dir)) {
      const path = join(this._dir, name);
      const size = await fileSize(path);
      if (size === undefined) continue;
      if (size > this._maxFileBytes) {
        logger.warn(`skipped spool file ${path}: ${size} bytes is more than maxBufferedBytes; it is left in place`);
        continue;
      }
      if (size > budget) {
        logger.info(`spool file ${path} waits for a later start: the outage buffer is full`);
        break;
      }
      budget -= size;
      kept.push(...(await this._readFile(path)));
    }
    return kept;
  }

  /**
   * A log read back from a file got through, was dropped, or was written again: once all of a
   * file's logs have, the file is removed (the promise, when it is).
   */
  resolved(key: string): Promise<void> | undefined {
    const path = this._fileOf.get(key);
    if (path === undefined) return undefined;
    this._fileOf.delete(key);
    const left = (this._unresolved.get(path) ?? 1) - 1;
    if (left > 0) return void this._unresolved.set(path, left);
    return this._remove(path);
  }

  private async _remove(path: string): Promise<void> {
    this._unresolved.delete(path);
    try {
      await unlink(path);
    } catch (error) {
      logger.warn(`could not remove spool file ${path}: ${describeError(error)}`);
    }
  }

  /** Writes logs for the next process; false when they could not be written. */
  async write(logs: Kept[]): Promise<boolean> {
    if (logs.length === 0) return true;
    try {
      await mkdir(this._dir, { recursive: true });
      for (const chunk of chunks(logs.map(toLine), this._maxFileBytes)) await writeWhole(this._dir, chunk);
      logger.info(`spooled ${logs.length} undelivered logs to ${this._dir}`);
    } catch (error) {
      logger.error(`could not spool ${logs.length} undelivered logs: ${describeError(error)}`);
      return false;
    }
    for (const { item } of logs) await this.resolved(item.key);
    return true;
  }

  private async _readFile(path: string): Promise<Kept[]> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      logger.warn(`skipped spool file ${path}: ${describeError(error)}`);
      return [];
    }
    const kept: Kept[] = [];
    let corrupt = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const parsed = parseLine(line);
      if (!parsed) corrupt++;
      else if (!this._fileOf.has(parsed.item.key)) {
        this._fileOf.set(parsed.item.key, path);
        kept.push(parsed);
      }
    }
    if (corrupt > 0) logger.warn(`skipped ${corrupt} corrupt lines in spool file ${path}`);
    if (kept.length === 0) await this._remove(path);
    else this._unresolved.set(path, kept.length);
    return kept;
  }
}

async function spoolFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => name.endsWith(SUFFIX)).sort();
  } catch {
    return [];
  }
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

function toLine({ item, since }: Kept): Buffer {
  const head = { key: item.key, since, completes: item.completes, route: item.route };
  return Buffer.from(`${JSON.stringify(head).slice(0, -1)},"log":${jsonOf(item)}}\n`);
}

/** Lines in groups of at most `maxBytes` (a longer line goes alone). */
function* chunks(lines: Buffer[], maxBytes: number): Generator<Buffer[]> {
  let chunk: Buffer[] = [];
  let bytes = 0;
  for (const line of lines) {
    if (chunk.length > 0 && bytes + line.length > maxBytes) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(line);
    bytes += line.length;
  }
  if (chunk.length > 0) yield chunk;
}

async function writeWhole(dir: string, lines: Buffer[]): Promise<void> {
  const name = `${Date.now()}-${process.pid}-${randomBytes(4).toString('hex')}${SUFFIX}`;
  await writeFile(join(dir, `${name}.tmp`), Buffer.concat(lines));
  await rename(join(dir, `${name}.tmp`), join(dir, name));
}

function parseLine(line: string): Kept | undefined {
  const value = parseJson(line);
  if (typeof value !== 'object' || value === null) return undefined;
  const { key, since, log, completes, route } = value as { key?: unknown; since?: unknown; log?: unknown; completes?: unknown; route?: unknown };
  if (typeof key !== 'string' || typeof since !== 'number' || typeof log !== 'object' || log === null) return undefined;
  if (completes !== undefined && !isCompletes(completes)) return undefined;
  const item = toOutgoing(key, log, completes);
  if (typeof route === 'string') item.route = route;
  return { item, since };
}

function isCompletes(value: unknown): value is OutgoingLog['completes'] {
  if (typeof value !== 'object' || value === null) return false;
  const { spanId, created } = value as { spanId?: unknown; created?: unknown };
  return typeof spanId === 'string' && typeof created === 'object' && created !== null;
}
