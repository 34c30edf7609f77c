import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeError, logger } from '../diag.js';
import type { LogRequest } from '../log-request.js';
import { jsonOf, toOutgoing, type OutgoingLog } from './outcome.js';

const SUFFIX = '.humanloop-spool.ndjson';
/** A spool larger than this is not read (it was not written by this library). */
const MAX_SPOOL_FILE_BYTES = 512 * 1024 * 1024;

export interface Spooled {
  item: OutgoingLog;
  since: number;
}

/**
 * Writes undelivered logs to a new file in `dir` (one JSON object per line), so a restarted
 * process can deliver them. Written to a temporary name and renamed, so a reader never sees half.
 */
export function writeSpool(dir: string, logs: Spooled[]): void {
  if (logs.length === 0) return;
  try {
    mkdirSync(dir, { recursive: true });
    const name = `${Date.now()}-${process.pid}-${randomBytes(4).toString('hex')}${SUFFIX}`;
    const lines = logs.map(({ item, since }) => `{"key":${JSON.stringify(item.key)},"since":${since},"log":${jsonOf(item)}}\n`);
    writeFileSync(join(dir, `${name}.tmp`), lines.join(''));
    renameSync(join(dir, `${name}.tmp`), join(dir, name));
    logger.info(`spooled ${logs.length} undelivered logs to ${dir}`);
  } catch (error) {
    logger.error(`could not spool ${logs.length} undelivered logs: ${describeError(error)}`);
  }
}

/**
 * Reads and removes every spool file in `dir`. A corrupt or truncated line is skipped with a
 * diag warning; an unreadable file is left alone.
 */
export function readSpool(dir: string): Spooled[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith(SUFFIX)).sort();
  } catch {
    return [];
  }
  return names.flatMap((name) => readSpoolFile(join(dir, name)));
}

function readSpoolFile(path: string): Spooled[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
    if (text.length > MAX_SPOOL_FILE_BYTES) throw new Error('too large');
    rmSync(path);
  } catch (error) {
    logger.warn(`skipped spool file ${path}: ${describeError(error)}`);
    return [];
  }
  let corrupt = 0;
  const logs = text.split('\n').flatMap((line): Spooled[] => {
    if (line.trim() === '') return [];
    const parsed = parseLine(line);
    if (!parsed) corrupt++;
    return parsed ? [parsed] : [];
  });
  if (corrupt > 0) logger.warn(`skipped ${corrupt} corrupt lines in spool file ${path}`);
  return logs;
}

function parseLine(line: string): Spooled | undefined {
  try {
    const value = JSON.parse(line) as { key?: unknown; since?: unknown; log?: unknown };
    const { key, since, log } = value;
    if (typeof key !== 'string' || typeof since !== 'number' || typeof log !== 'object' || log === null) return undefined;
    if (typeof (log as LogRequest).config !== 'object') return undefined;
    return { item: toOutgoing(key, log as LogRequest), since };
  } catch {
    return undefined;
  }
}

