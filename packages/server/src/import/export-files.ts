/**
 * The logs files of a Humanloop export directory, in order: for each file (`files/<file_id>/`), its
 * `logs/N.jsonl` by N, then each evaluation's `evaluations/<id>/logs/N.jsonl`. A file directory
 * without a readable `file.json` is reported; its logs are still read (each log carries its file).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface ExportListing {
  /** How many file directories there are. */
  files: number;
  /** Logs files, relative to the export directory. */
  logFiles: string[];
  problems: Array<{ where: string; reason: string }>;
}

/** What is in `dir`; throws when `dir` is not a directory with a `files` directory (a usage error). */
export async function listExport(dir: string): Promise<ExportListing> {
  const fileIds = (await directories(join(dir, 'files'))).sort();
  const listing: ExportListing = { files: fileIds.length, logFiles: [], problems: [] };
  for (const id of fileIds) {
    const base = join('files', id);
    if (!(await isFile(join(dir, base, 'file.json')))) listing.problems.push({ where: join(base, 'file.json'), reason: 'missing' });
    listing.logFiles.push(...(await jsonlFiles(dir, join(base, 'logs'))));
    for (const evaluation of (await directories(join(dir, base, 'evaluations')).catch(() => [])).sort()) {
      listing.logFiles.push(...(await jsonlFiles(dir, join(base, 'evaluations', evaluation, 'logs'))));
    }
  }
  return listing;
}

async function directories(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true });
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}

/** `N.jsonl` files of a directory, relative to `dir`, by N (1, 2, ..., 10); none when it is absent. */
async function jsonlFiles(dir: string, relative: string): Promise<string[]> {
  const entries = await readdir(join(dir, relative), { withFileTypes: true }).catch(() => []);
  const numbered = entries.filter((entry) => entry.isFile() && entry.name.endsWith('.jsonl'));
  const order = (name: string) => Number.parseInt(name, 10);
  numbered.sort((a, b) => (order(a.name) || 0) - (order(b.name) || 0) || (a.name < b.name ? -1 : 1));
  return numbered.map((entry) => join(relative, entry.name));
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() === true;
}
