import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** How platforms that cannot sync a directory (Windows, some file systems) refuse: the rename stands, unsynced. */
const NO_DIRECTORY_SYNC = new Set(['EINVAL', 'EPERM', 'EISDIR']);

/** A file to write whole: its name, the name it is written under until it is complete, its bytes. */
export interface WholeFile {
  name: string;
  temp: string;
  bytes: Buffer;
}

/**
 * Writes a file in `dir` whole or not at all, to stay there through a crash or a power loss once
 * this resolves: under its temporary name first, synced to disk, renamed, and the directory (which
 * holds the rename) synced. The file is for its owner only (0600). On failure the temporary file
 * is removed.
 */
export async function writeDurably(dir: string, { name, temp, bytes }: WholeFile): Promise<void> {
  const tempPath = join(dir, temp);
  try {
    const file = await open(tempPath, 'wx', 0o600);
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tempPath, join(dir, name));
  } catch (error) {
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
  try {
    const directory = await open(dir, 'r');
    await directory.sync().finally(() => directory.close());
  } catch (error) {
    if (!NO_DIRECTORY_SYNC.has(codeOf(error))) throw error;
  }
}

/** `writeDurably`, done before it returns (for a process `exit` handler). */
export function writeDurablySync(dir: string, { name, temp, bytes }: WholeFile): void {
  const tempPath = join(dir, temp);
  try {
    const file = openSync(tempPath, 'wx', 0o600);
    try {
      writeFileSync(file, bytes);
      fsyncSync(file);
    } finally {
      closeSync(file);
    }
    renameSync(tempPath, join(dir, name));
  } catch (error) {
    removeQuietly(tempPath);
    throw error;
  }
  try {
    const directory = openSync(dir, 'r');
    try {
      fsyncSync(directory);
    } finally {
      closeSync(directory);
    }
  } catch (error) {
    if (!NO_DIRECTORY_SYNC.has(codeOf(error))) throw error;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Never made, or already gone.
  }
}

function codeOf(error: unknown): string {
  return String((error as { code?: unknown } | undefined)?.code);
}
