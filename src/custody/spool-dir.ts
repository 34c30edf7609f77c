import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { logger } from '../common/diag.js';

/** Permission bits that let users other than the owner read or change what is in a directory. */
const OPEN_TO_OTHERS = 0o066;

/** Directories warned about, once each in a process. */
const warned = new Set<string>();

/**
 * Makes the spool directory (and its missing parents) for its owner only. One that exists keeps
 * its mode, as its user made it, with a diag warning when other users may read it.
 */
export async function makeSpoolDir(dir: string): Promise<void> {
  const made = await mkdir(dir, { recursive: true, mode: 0o700 });
  if (made === undefined) await warnIfOpen(dir);
}

/** `makeSpoolDir`, done before it returns (for a process `exit` handler). */
export function makeSpoolDirSync(dir: string): void {
  const made = mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (made === undefined) warnOnce(dir, statSync(dir).mode);
}

/** One diag warning (in a process) when the spool directory is open to other users; nothing when it does not exist. */
export async function warnIfOpen(dir: string): Promise<void> {
  try {
    warnOnce(dir, (await stat(dir)).mode);
  } catch {
    // No directory yet: nothing to say.
  }
}

function warnOnce(dir: string, mode: number): void {
  const path = resolve(dir);
  if (process.platform === 'win32' || (mode & OPEN_TO_OTHERS) === 0 || warned.has(path)) return;
  warned.add(path);
  const octal = (mode & 0o777).toString(8);
  logger.warn(`spool directory ${dir} is open to other users (mode ${octal}), and the logs spooled there hold prompts: make it private (chmod 700)`);
}
