import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** How platforms that cannot sync a directory (Windows, some file systems) refuse: the rename stands, unsynced. */
const NO_DIRECTORY_SYNC = new Set(['EINVAL', 'EPERM', 'EISDIR']);

/**
 * Writes `bytes` to `dir/name` whole or not at all, to stay there through a crash or a power loss
 * once this resolves: under `temp` first, synced to disk, renamed, and the directory (which holds
 * the rename) synced. The file is for its owner only (0600). On failure the temporary file is
 * removed.
 */
export async function writeDurably(dir: string, name: string, temp: string, bytes: Buffer): Promise<void> {
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
  await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  try {
    const directory = await open(dir, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  } catch (error) {
    if (!NO_DIRECTORY_SYNC.has(String((error as { code?: unknown }).code))) throw error;
  }
}
