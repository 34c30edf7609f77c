import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Owner } from './spool-names.js';

/**
 * After this long, a claim or a temporary file is taken to be abandoned, whoever made it: a
 * process on another host (with the directory on a shared file system) cannot be asked whether it
 * still runs. A running exporter is done with a claim well within it: it drops logs kept for
 * longer than `maxBufferAgeMillis` (15 minutes by default).
 */
export const ABANDONED_AFTER_MILLIS = 60 * 60 * 1000;

/** How far two readings of this process's start may differ (each subtracts one clock from another). */
const START_TOLERANCE_MILLIS = 1_000;

const HOST = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
const STARTED = Math.round(Date.now() - process.uptime() * 1000);

/** A new owner in this process: one for each spool. */
export function newOwner(): Owner {
  return { host: HOST, pid: process.pid, started: STARTED, token: randomBytes(4).toString('hex') };
}

/**
 * Whether the process that made a file or claimed it at `since` is gone: on this host, when its
 * pid no longer runs (or is this process's, which started later); anywhere, after
 * ABANDONED_AFTER_MILLIS. Unknown owners (names from earlier versions) go by age only.
 */
export function isGone(owner: Owner | undefined, since: number, now: number): boolean {
  if (now - since > ABANDONED_AFTER_MILLIS) return true;
  if (owner === undefined || owner.host !== HOST) return false;
  if (owner.pid === process.pid) return Math.abs(owner.started - STARTED) > START_TOLERANCE_MILLIS;
  return !isRunning(owner.pid);
}

function isRunning(pid: number): boolean {
  // 0 and negative numbers name process groups.
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as { code?: unknown }).code !== 'ESRCH';
  }
}
