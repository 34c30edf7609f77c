/**
 * Imports a Humanloop export directory into a store: reads its logs files line by line, maps each
 * line (export-log.ts) and stores the logs in batches, each log once by its exported id. Nothing in
 * the directory stops the import: what cannot be read is counted and named (file and line).
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { LogStorage, StoredV5Log } from '../store/types.js';
import { listExport } from './export-files.js';
import { mapExportLine } from './export-log.js';

export const DEFAULT_BATCH_SIZE = 500;
/** Problems named in the summary at most; all are counted. */
export const MAX_NAMED_PROBLEMS = 100;

export interface ImportProgress {
  files: number;
  lines: number;
  /** Logs stored by this import. */
  added: number;
  /** Logs whose id the store had already: left as they were. */
  present: number;
  /** Lines, nested logs and files that could not be read. */
  problems: number;
}

export interface ImportSummary extends ImportProgress {
  /** The first MAX_NAMED_PROBLEMS: `where` is `path:line` (and the place in the line) or a path. */
  named: Array<{ where: string; reason: string }>;
}

export interface ImportOptions {
  batchSize?: number;
  /** Called after each batch is stored. */
  onProgress?: (progress: ImportProgress) => void;
}

export async function importExport(dir: string, store: LogStorage, options: ImportOptions = {}): Promise<ImportSummary> {
  const listing = await listExport(dir);
  const summary: ImportSummary = { files: listing.files, lines: 0, added: 0, present: 0, problems: 0, named: [] };
  for (const problem of listing.problems) note(summary, problem.where, problem.reason);
  const batch = new Batch(store, summary, options);
  for (const logFile of listing.logFiles) await importLogFile(dir, logFile, batch, summary);
  await batch.flush();
  return summary;
}

async function importLogFile(dir: string, logFile: string, batch: Batch, summary: ImportSummary): Promise<void> {
  const lines = createInterface({ input: createReadStream(join(dir, logFile)), crlfDelay: Infinity });
  let number = 0;
  for await (const text of lines) {
    number++;
    if (text.trim() === '') continue;
    summary.lines++;
    const mapped = mapExportLine(text);
    for (const { where, reason } of mapped.problems) note(summary, `${logFile}:${number}${where === '' ? '' : ` ${where}`}`, reason);
    await batch.add(mapped.logs);
  }
}

function note(summary: ImportSummary, where: string, reason: string): void {
  summary.problems++;
  if (summary.named.length < MAX_NAMED_PROBLEMS) summary.named.push({ where, reason });
}

/** Logs waiting to be stored: written `batchSize` at a time. */
class Batch {
  private _logs: StoredV5Log[] = [];
  private readonly _size: number;

  constructor(
    private readonly _store: LogStorage,
    private readonly _summary: ImportSummary,
    private readonly _options: ImportOptions,
  ) {
    this._size = Math.max(1, Math.floor(_options.batchSize ?? DEFAULT_BATCH_SIZE));
  }

  async add(logs: readonly StoredV5Log[]): Promise<void> {
    this._logs.push(...logs);
    if (this._logs.length >= this._size) await this.flush();
  }

  async flush(): Promise<void> {
    const logs = this._logs;
    this._logs = [];
    if (logs.length > 0) {
      const { added, present } = await this._store.importV5(logs);
      this._summary.added += added;
      this._summary.present += present;
    }
    const { named: _named, ...progress } = this._summary;
    this._options.onProgress?.(progress);
  }
}
