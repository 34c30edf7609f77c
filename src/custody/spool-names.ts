/**
 * The names of the files in a spool directory. A spool file is
 * `<written at>-<owner>-<n>.humanloop-spool.ndjson`, `n` counting its owner's files (earlier versions
 * wrote `<written at>-<pid>-<random>`: any name with that ending is one). It is written under its name plus `.tmp`, then renamed. A
 * process claims a spool file before reading it by renaming it to
 * `<spool file name>.<claimed at>-<owner>.claimed`. Times are milliseconds since the epoch, so that
 * names sort oldest first.
 */

export const SPOOL_SUFFIX = '.humanloop-spool.ndjson';
const TEMP_SUFFIX = '.tmp';
const CLAIM_SUFFIX = '.claimed';

/** Who wrote or claimed a file: a spool in a process, which runs on a host and started at a time. */
export interface Owner {
  /** A short hash of the host's name. */
  host: string;
  pid: number;
  /** When the process started (ms since the epoch): tells it apart from a later one given the same pid. */
  started: number;
  /** Tells apart the spools of one process. */
  token: string;
}

export type SpoolFile =
  | { kind: 'spool'; name: string }
  | { kind: 'claimed'; name: string; base: string; at: number; owner: Owner }
  | { kind: 'temp'; name: string; owner: Owner | undefined };

const OWNER = String.raw`(\d{1,10})-(\d{1,16})-([0-9a-f]{8})-([0-9a-f]{8})`;
const CLAIMED = new RegExp(String.raw`^(.+${escape(SPOOL_SUFFIX)})\.(\d{1,16})-${OWNER}${escape(CLAIM_SUFFIX)}$`);
const WRITTEN_BY = new RegExp(String.raw`^\d{1,16}-${OWNER}-\d{1,16}${escape(SPOOL_SUFFIX)}`);

/** The name of the `sequence`th spool file `owner` writes. */
export function spoolName(owner: Owner, now: number, sequence: number): string {
  return `${now}-${ownerText(owner)}-${sequence}${SPOOL_SUFFIX}`;
}

/** The name a spool file is written under before it is renamed to `name`. */
export function tempName(name: string): string {
  return `${name}${TEMP_SUFFIX}`;
}

/** The name of a spool file (by its name when it was written, `base`) once `owner` claims it. */
export function claimName(base: string, owner: Owner, now: number): string {
  return `${base}.${now}-${ownerText(owner)}${CLAIM_SUFFIX}`;
}

/** The name a spool file had when it was written, whoever claims it since. */
export function baseName(entry: SpoolFile): string {
  return entry.kind === 'claimed' ? entry.base : entry.name;
}

/** What a file in the spool directory is, or undefined for a file that is not the spool's. */
export function readName(name: string): SpoolFile | undefined {
  if (name.endsWith(SPOOL_SUFFIX)) return { kind: 'spool', name };
  if (name.endsWith(SPOOL_SUFFIX + TEMP_SUFFIX)) return { kind: 'temp', name, owner: ownerOf(WRITTEN_BY.exec(name), 1) };
  const claimed = CLAIMED.exec(name);
  const owner = ownerOf(claimed, 3);
  if (!claimed || !owner) return undefined;
  return { kind: 'claimed', name, base: claimed[1], at: Number(claimed[2]), owner };
}

function ownerText({ pid, started, host, token }: Owner): string {
  return `${pid}-${started}-${host}-${token}`;
}

/** The owner in the four groups of `match` from `first` on. */
function ownerOf(match: RegExpExecArray | null, first: number): Owner | undefined {
  if (!match) return undefined;
  const [pid, started, host, token] = match.slice(first, first + 4);
  return { pid: Number(pid), started: Number(started), host, token };
}

function escape(text: string): string {
  return text.replaceAll('.', '\\.');
}
