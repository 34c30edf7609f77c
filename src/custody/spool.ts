import { unlinkSync } from 'node:fs';
import { readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Restored, SpoolEntry } from '../log/spool-entry.js';
import { describeError, logger } from '../common/diag.js';
import { writeDurably, writeDurablySync, type WholeFile } from './durable-file.js';
import { makeSpoolDir, makeSpoolDirSync, warnIfOpen } from './spool-dir.js';
import { parseLine, toLine } from './spool-lines.js';
import { baseName, claimName, readName, spoolName, tempName, type SpoolFile } from './spool-names.js';
import { isGone, newOwner } from './spool-owner.js';

/**
 * Logs written at shutdown for the next process: one file per shutdown (more when larger than
 * `maxFileBytes`), one JSON object per line. A file is written under a temporary name and
 * renamed, so a reader never sees half of one. It is read back asynchronously, at most
 * `maxFileBytes` in all, by one process only: a process claims a file (renames it to a name of
 * its own) before reading it, and takes over the claims of processes that are gone. A claimed
 * file is deleted only once every log in it is delivered, dropped or written again: a crash in
 * between sends its logs again rather than losing them.
 */
export class Spool {
  /** How many of the logs read back from each file are not settled yet. */
  private readonly _unsettled = new Map<string, number>();
  private readonly _owner = newOwner();
  /** Files this spool has written. */
  private _written = 0;

  constructor(
    private readonly _dir: string,
    private readonly _maxFileBytes: number,
  ) {}

  /**
   * Claims and reads spool files nobody holds (those of processes that are gone included), oldest
   * first, as long as they fit in `budgetBytes` together.
   */
  async load(budgetBytes: number): Promise<Restored[]> {
    const now = Date.now();
    await warnIfOpen(this._dir);
    const entries = await spoolEntries(this._dir);
    await removeAbandonedTemps(this._dir, entries, now);
    const restored: Restored[] = [];
    const keys = new Set<string>();
    let budget = budgetBytes;
    for (const entry of claimable(entries, now)) {
      const path = join(this._dir, entry.name);
      const size = (await fileInfo(path))?.size;
      if (size === undefined) continue;
      if (size > this._maxFileBytes) {
        logger.warn(`skipped spool file ${path}: ${size} bytes is more than maxBufferedBytes; it is left in place`);
        continue;
      }
      if (size > budget) {
        logger.info(`spool file ${path} waits for a later start: the outage buffer is full`);
        break;
      }
      const claimed = await this._claim(entry, now);
      if (claimed === undefined) continue;
      budget -= size;
      restored.push(...(await this._readFile(claimed, keys)));
    }
    return restored;
  }

  /** Renames a file to a name of this spool's; its new path, or undefined when another process took it first. */
  private async _claim(entry: SpoolFile, now: number): Promise<string | undefined> {
    const path = join(this._dir, claimName(baseName(entry), this._owner, now));
    try {
      await rename(join(this._dir, entry.name), path);
    } catch (error) {
      if (codeOf(error) === 'ENOENT') logger.debug(`spool file ${entry.name} was claimed by another process`);
      else logger.warn(`skipped spool file ${join(this._dir, entry.name)}: ${describeError(error)}`);
      return undefined;
    }
    if (entry.kind === 'claimed') logger.info(`took over spool file ${baseName(entry)} from a process that is gone`);
    return path;
  }

  /**
   * A log read back from this file got through, was dropped, or was written again: once all of
   * the file's logs have, the file is removed (the promise, when it is).
   */
  settled(path: string): Promise<void> | undefined {
    return this._last(path) ? this._remove(path) : undefined;
  }

  /** `settled`, the file removed before it returns (for a process `exit` handler). */
  settledSync(path: string): void {
    if (this._last(path)) removeSync(path);
  }

  /** Counts a log read back from `path` as settled; true when it was the file's last. */
  private _last(path: string): boolean {
    const left = (this._unsettled.get(path) ?? 1) - 1;
    if (left > 0) return void this._unsettled.set(path, left), false;
    this._unsettled.delete(path);
    return true;
  }

  private async _remove(path: string): Promise<void> {
    this._unsettled.delete(path);
    try {
      await unlink(path);
    } catch (error) {
      notRemoved(path, error);
    }
  }

  /** Writes logs for the next process; false when they could not be written. */
  async write(logs: SpoolEntry[]): Promise<boolean> {
    if (logs.length === 0) return true;
    try {
      await makeSpoolDir(this._dir);
      for (const file of this._files(logs)) await writeDurably(this._dir, file);
    } catch (error) {
      return notSpooled(logs.length, error);
    }
    logger.info(`spooled ${logs.length} undelivered logs to ${this._dir}`);
    return true;
  }

  /**
   * `write`, done before it returns: for a process `exit` handler, where nothing asynchronous
   * runs. The files the logs were read from are removed before it returns too.
   */
  writeSync(logs: SpoolEntry[]): boolean {
    if (logs.length === 0) return true;
    try {
      makeSpoolDirSync(this._dir);
      for (const file of this._files(logs)) writeDurablySync(this._dir, file);
    } catch (error) {
      return notSpooled(logs.length, error);
    }
    logger.info(`spooled ${logs.length} undelivered logs to ${this._dir}`);
    return true;
  }

  /** The files that hold `logs`, each at most `maxFileBytes` (unless one line is larger), with their names. */
  private _files(logs: SpoolEntry[]): WholeFile[] {
    return [...chunks(logs.map(toLine), this._maxFileBytes)].map((lines) => {
      const name = spoolName(this._owner, Date.now(), this._written++);
      return { name, temp: tempName(name), bytes: Buffer.concat(lines) };
    });
  }

  /** The logs of a file not read before (in this load), each with the file. */
  private async _readFile(path: string, keys: Set<string>): Promise<Restored[]> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      logger.warn(`skipped spool file ${path}: ${describeError(error)}`);
      return [];
    }
    const restored: Restored[] = [];
    let corrupt = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const entry = parseLine(line);
      if (!entry) corrupt++;
      else if (!keys.has(entry.key)) {
        keys.add(entry.key);
        restored.push({ entry, file: path });
      }
    }
    if (corrupt > 0) logger.warn(`skipped ${corrupt} corrupt lines in spool file ${path}`);
    if (restored.length === 0) await this._remove(path);
    else this._unsettled.set(path, restored.length);
    return restored;
  }
}

/** The spool's files in `dir` (none when it does not exist). */
async function spoolEntries(dir: string): Promise<SpoolFile[]> {
  try {
    return (await readdir(dir)).map(readName).filter((entry) => entry !== undefined);
  } catch {
    return [];
  }
}

/** Files nobody holds, oldest first: those not claimed, and those claimed by processes that are gone. */
function claimable(entries: SpoolFile[], now: number): SpoolFile[] {
  const free = entries.filter((entry) => entry.kind === 'spool' || (entry.kind === 'claimed' && isGone(entry.owner, entry.at, now)));
  return free.sort((a, b) => (baseName(a) < baseName(b) ? -1 : 1));
}

function removeSync(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    notRemoved(path, error);
  }
}

function notRemoved(path: string, error: unknown): void {
  // ENOENT: taken over by another process, which took this one to be gone.
  if (codeOf(error) === 'ENOENT') logger.debug(`spool file ${path} was removed by another process`);
  else logger.warn(`could not remove spool file ${path}: ${describeError(error)}`);
}

function notSpooled(count: number, error: unknown): false {
  logger.error(`could not spool ${count} undelivered logs: ${describeError(error)}`);
  return false;
}

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | undefined)?.code;
}

/** A regular file's size and when it was last written; undefined for anything else. */
async function fileInfo(path: string): Promise<{ size: number; modified: number } | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? { size: info.size, modified: info.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the temporary files of writers that are gone: a crash in the middle of writing a spool file. */
async function removeAbandonedTemps(dir: string, entries: SpoolFile[], now: number): Promise<void> {
  for (const entry of entries) {
    if (entry.kind !== 'temp') continue;
    const path = join(dir, entry.name);
    const modified = (await fileInfo(path))?.modified;
    if (modified === undefined || !isGone(entry.owner, modified, now)) continue;
    try {
      await unlink(path);
      logger.debug(`removed ${path}, a spool file left half-written by a process that is gone`);
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') logger.warn(`could not remove ${path}: ${describeError(error)}`);
    }
  }
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
