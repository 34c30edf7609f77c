/**
 * `humanloop-log-server import <dir> --db <path|postgres://…>`: a Humanloop export into a store, with
 * a progress line on stderr (redrawn a few times a second on a terminal, else written once at the
 * end) and a summary on stdout. Exit codes: 0 all imported, 1 some lines or files skipped (named),
 * 2 a usage error or a directory that is not an export, 3 the store could not be opened or written.
 */
import { stat } from 'node:fs/promises';
import type { CliCommand } from './command.js';
import { openStore } from '../store/open-store.js';
import { importExport, type ImportProgress, type ImportSummary } from '../import/import-export.js';

export const IMPORT_USAGE = 'usage: humanloop-log-server import <export-dir> --db <file.db|postgres://…> [--batch <logs per write>]';

export interface Output {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

interface ImportArgs {
  dir: string;
  db: string;
  batchSize: number | undefined;
}

/** The command's arguments, or what is wrong with them. */
export function parseImportArgs(args: readonly string[]): ImportArgs | string {
  let dir: string | undefined;
  let db: string | undefined;
  let batch: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--db') db = args[++i];
    else if (arg === '--batch') batch = args[++i];
    else if (arg.startsWith('--')) return `unknown option ${arg}`;
    else if (dir === undefined) dir = arg;
    else return `one export directory at a time (got ${dir} and ${arg})`;
  }
  if (dir === undefined) return 'no export directory given';
  if (db === undefined || db === '') return 'no --db given (a SQLite file path or a postgres:// URL)';
  const batchSize = batch === undefined ? undefined : Number(batch);
  if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 10_000)) return '--batch takes a whole number from 1 to 10000';
  return { dir, db, batchSize };
}

export async function runImport(args: readonly string[], output: Output): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    output.stdout.write(`${IMPORT_USAGE}\n`);
    return 0;
  }
  const parsed = parseImportArgs(args);
  if (typeof parsed === 'string') {
    output.stderr.write(`${parsed}\n${IMPORT_USAGE}\n`);
    return 2;
  }
  if (!(await stat(`${parsed.dir}/files`).catch(() => undefined))?.isDirectory()) {
    output.stderr.write(`${parsed.dir} is not a Humanloop export directory (no files/ directory in it)\n`);
    return 2;
  }
  let store;
  try {
    store = await openStore({ db: parsed.db, retentionIntervalMillis: Infinity });
  } catch (error) {
    output.stderr.write(`cannot open the store: ${(error as Error).message}\n`);
    return 3;
  }
  const started = performance.now();
  const progress = progressLine(output.stderr);
  try {
    const summary = await importExport(parsed.dir, store, { ...(parsed.batchSize && { batchSize: parsed.batchSize }), onProgress: progress.update });
    progress.end(summary);
    output.stdout.write(summaryText(parsed.dir, store.engine, summary, performance.now() - started));
    return summary.problems === 0 ? 0 : 1;
  } catch (error) {
    progress.end(undefined);
    output.stderr.write(`import stopped: ${(error as Error).message}\n`);
    return 3;
  } finally {
    await store.close();
  }
}

const REDRAW_MILLIS = 250;

/** On a terminal: the line redrawn at most every REDRAW_MILLIS; elsewhere: written once, at the end. */
function progressLine(stderr: Output['stderr']): { update: (progress: ImportProgress) => void; end: (last: ImportProgress | undefined) => void } {
  const tty = stderr.isTTY === true;
  let drawn = -Infinity;
  let last: ImportProgress | undefined;
  return {
    update(progress) {
      last = progress;
      if (!tty || performance.now() - drawn < REDRAW_MILLIS) return;
      drawn = performance.now();
      stderr.write(`\r${progressText(progress)}`);
    },
    end(final) {
      const shown = final ?? last;
      if (shown) stderr.write(`${tty ? '\r' : ''}${progressText(shown)}\n`);
    },
  };
}

function progressText(p: ImportProgress): string {
  return `import: ${n(p.lines)} lines, ${n(p.added)} logs new, ${n(p.present)} already there, ${n(p.problems)} skipped`;
}

export function summaryText(dir: string, engine: string, s: ImportSummary, millis: number): string {
  const rate = millis > 0 ? Math.round(((s.added + s.present) / millis) * 1000) : 0;
  const lines = [
    `imported ${dir} into ${engine}: ${n(s.added)} logs new, ${n(s.present)} already there, from ${n(s.lines)} lines of ${n(s.files)} files in ${(millis / 1000).toFixed(1)} s (${n(rate)} logs/s)`,
  ];
  if (s.problems === 0) lines.push('nothing skipped');
  else {
    lines.push(`${n(s.problems)} skipped${s.problems > s.named.length ? ` (the first ${s.named.length} named)` : ''}:`);
    for (const { where, reason } of s.named) lines.push(`  ${where}: ${reason}`);
  }
  return `${lines.join('\n')}\n`;
}

function n(value: number): string {
  return value.toLocaleString('en-US');
}

export const importCommand: CliCommand = {
  summary: "a directory written by Humanloop's export tool, into a store (--db)",
  run: (argv) => runImport(argv, process),
};
