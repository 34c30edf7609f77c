import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toOutgoing } from '../log/encoding.js';
import type { CreatedLog, OutgoingLog } from '../log/outgoing-log.js';
import type { Restored, SpoolEntry } from '../log/spool-entry.js';
import { describeError, logger } from '../shared/diag.js';
import { parseJson } from '../shared/json.js';

const SUFFIX = '.humanloop-spool.ndjson';

/**
 * Logs written at shutdown for the next process: one file per shutdown (more when larger than
 * `maxFileBytes`), one JSON object per line. A file is written under a temporary name and
 * renamed, so a reader never sees half of one; it is read back asynchronously, at most
 * `maxFileBytes` in all, and deleted only once every log in it is delivered, dropped or written
 * again: a crash in between sends its logs again rather than losing them.
 */
export class Spool {
  /** How many of the logs read back from each file are not settled yet. */
  private readonly _unsettled = new Map<string, number>();

  constructor(
    private readonly _dir: string,
    private readonly _maxFileBytes: number,
  ) {}

  /** Reads spool files, oldest first, as long as they fit in `budgetBytes` together. */
  async load(budgetBytes: number): Promise<Restored[]> {
    const restored: Restored[] = [];
    const keys = new Set<string>();
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
      restored.push(...(await this._readFile(path, keys)));
    }
    return restored;
  }

  /**
   * A log read back from this file got through, was dropped, or was written again: once all of
   * the file's logs have, the file is removed (the promise, when it is).
   */
  settled(path: string): Promise<void> | undefined {
    const left = (this._unsettled.get(path) ?? 1) - 1;
    if (left > 0) return void this._unsettled.set(path, left);
    return this._remove(path);
  }

  private async _remove(path: string): Promise<void> {
    this._unsettled.delete(path);
    try {
      await unlink(path);
    } catch (error) {
      logger.warn(`could not remove spool file ${path}: ${describeError(error)}`);
    }
  }

  /** Writes logs for the next process; false when they could not be written. */
  async write(entries: SpoolEntry[]): Promise<boolean> {
    if (entries.length === 0) return true;
    try {
      await mkdir(this._dir, { recursive: true });
      for (const chunk of chunks(entries.map(toLine), this._maxFileBytes)) await writeWhole(this._dir, chunk);
      logger.info(`spooled ${entries.length} undelivered logs to ${this._dir}`);
    } catch (error) {
      logger.error(`could not spool ${entries.length} undelivered logs: ${describeError(error)}`);
      return false;
    }
    return true;
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

/** One line of a spool file: an entry's fields, and its log's JSON written in as it is. */
function toLine(entry: SpoolEntry): Buffer {
  const { since, key } = entry;
  let head: Record<string, unknown>;
  let log: string;
  if (entry.kind === 'linked') {
    head = { key, since, completes: entry.item.completes, route: entry.item.route };
    log = Buffer.concat(entry.item.parts).toString('utf8');
  } else {
    const { kind, traceId: trace, session } = entry;
    head = { v: 2, kind, key, since, trace, session, ...(kind === 'create' ? { parent: entry.parent, path: entry.path } : { created: entry.created }) };
    log = entry.body.toString('utf8');
  }
  return Buffer.from(`${JSON.stringify(head).slice(0, -1)},"log":${log}}\n`);
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

/** Routes a completion may name (they go into the request path). */
const ROUTES = new Set(['prompts', 'tools', 'flows', 'agents']);

type Line = Record<string, unknown>;

function parseLine(text: string): SpoolEntry | undefined {
  const line = parseJson(text);
  if (!isObject(line)) return undefined;
  const { key, since, log } = line;
  if (typeof key !== 'string' || typeof since !== 'number' || !isObject(log)) return undefined;
  if (line.v === undefined) return linkedEntry(line, key, since, log);
  const trace = line.trace;
  const session = optionalString(line.session);
  if (typeof trace !== 'string' || session === null) return undefined;
  const body = Buffer.from(JSON.stringify(log));
  if (line.kind === 'complete') {
    const created = createdLog(line.created);
    return created && { kind: 'complete', key, since, traceId: trace, session, created, body };
  }
  const path = optionalString(line.path);
  const parent = parentOf(line.parent);
  if (line.kind !== 'create' || path === null || parent === null) return undefined;
  return { kind: 'create', key, since, traceId: trace, session, parent, path, body };
}

/** A line of an earlier version: a log already linked, in the API's body. */
function linkedEntry(line: Line, key: string, since: number, log: Line): SpoolEntry | undefined {
  const route = optionalString(line.route);
  if (route === null || (route !== undefined && !ROUTES.has(route))) return undefined;
  let completes: CreatedLog | undefined;
  if (line.completes !== undefined) {
    completes = isObject(line.completes) ? createdLog(line.completes.created) : undefined;
    if (!completes) return undefined;
  }
  const item: OutgoingLog = { ...toOutgoing(key, log, completes), ...(route === undefined ? {} : { route }) };
  return { kind: 'linked', key, since, item };
}

function createdLog(value: unknown): CreatedLog | undefined {
  if (!isObject(value)) return undefined;
  const logId = optionalString(value.logId);
  const fileId = optionalString(value.fileId);
  const route = optionalString(value.route);
  if (logId === null || fileId === null || route === null || (route !== undefined && !ROUTES.has(route))) return undefined;
  return { logId, ...(fileId === undefined ? {} : { fileId }), ...(route === undefined ? {} : { route }) };
}

/** The parent of a log to create: undefined when it has none, null when the line is corrupt. */
function parentOf(value: unknown): { spanId: string; logId: string | undefined } | undefined | null {
  if (value === undefined) return undefined;
  if (!isObject(value) || typeof value.spanId !== 'string') return null;
  const logId = optionalString(value.logId);
  return logId === null ? null : { spanId: value.spanId, logId };
}

/** A string, undefined when absent, null when something else. */
function optionalString(value: unknown): string | undefined | null {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : null;
}

function isObject(value: unknown): value is Line {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
