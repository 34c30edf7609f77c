import type * as Fs from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { Spool } from '../../src/custody/spool.js';
import { encodeJson } from '../../src/log/encoding.js';
import type { SpoolEntry } from '../../src/log/spool-entry.js';
import { testScope } from '../helpers/scope.js';

/**
 * A spool file must survive a crash (or power loss) once written: its bytes are flushed to disk
 * before it is renamed into place, and the rename after. The file system calls are recorded on
 * their way to the real ones.
 */

const calls = vi.hoisted(() => [] as string[]);
/** Paths whose `sync` fails, with the error code it fails with (`*`: every temporary file). */
const syncFails = vi.hoisted(() => new Map<string, string>());

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  /** The handle, its `sync` recorded (its methods need the real handle as `this`). */
  const recorded = (handle: FileHandle, path: string): FileHandle =>
    new Proxy(handle, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (property === 'sync') {
            calls.push(`sync ${path}`);
            const code = syncFails.get(path) ?? (path.endsWith('.tmp') ? syncFails.get('*') : undefined);
            if (code) return Promise.reject(Object.assign(new Error(`sync: ${code}`), { code }));
          }
          return (value as (...args: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const open = async (...args: Parameters<typeof fs.open>) => recorded(await fs.open(...args), String(args[0]));
  const rename = (from: string, to: string) => {
    calls.push(`rename ${from} ${to}`);
    return fs.rename(from, to);
  };
  return { ...fs, default: { ...fs, open, rename }, open, rename };
});

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof Fs>();
  const pathOf = new Map<number, string>();
  const openSync = (...args: Parameters<typeof fs.openSync>) => {
    const fd = fs.openSync(...args);
    pathOf.set(fd, String(args[0]));
    return fd;
  };
  const fsyncSync = (fd: number) => {
    calls.push(`sync ${pathOf.get(fd)}`);
    return fs.fsyncSync(fd);
  };
  const renameSync = (from: string, to: string) => {
    calls.push(`rename ${from} ${to}`);
    return fs.renameSync(from, to);
  };
  return { ...fs, default: { ...fs, openSync, fsyncSync, renameSync }, openSync, fsyncSync, renameSync };
});

const scope = testScope();

function kept(id: string): Extract<SpoolEntry, { kind: 'create' }> {
  const body = encodeJson({ project: 'p', config: { type: 'model', model: 'm' }, output: 'text' });
  return { kind: 'create', key: id, since: Date.now(), traceId: `trace${id}`, session: undefined, parent: undefined, path: undefined, body };
}

describe.each([
  ['write', (spool: Spool, logs: SpoolEntry[]) => spool.write(logs)],
  ['writeSync', (spool: Spool, logs: SpoolEntry[]) => spool.writeSync(logs)],
])('a spool file being written (%s)', (_, write) => {
  it('is synced to disk before it is renamed into place, and its directory after', async () => {
    const dir = scope.tempDir();
    calls.length = 0;
    expect(await write(new Spool(dir, 1 << 20), [kept('e000000000000001')])).toBe(true);
    const [name] = readdirSync(dir);
    const renamed = calls.findIndex((call) => call.startsWith('rename ') && call.endsWith(` ${join(dir, name)}`));
    expect(renamed, 'the rename into place').toBeGreaterThanOrEqual(0);
    const temp = calls[renamed].split(' ')[1];
    expect(calls.indexOf(`sync ${temp}`), 'the file synced before the rename').toBeGreaterThanOrEqual(0);
    expect(calls.indexOf(`sync ${temp}`)).toBeLessThan(renamed);
    expect(calls.indexOf(`sync ${dir}`), 'the directory synced after the rename').toBeGreaterThan(renamed);
  });
});

describe('a spool file on a platform that cannot sync a directory', () => {
  it.each(['EINVAL', 'EPERM', 'EISDIR'])('is written all the same (%s)', async (code) => {
    const dir = scope.tempDir();
    syncFails.set(dir, code);
    scope.defer(() => syncFails.clear());
    expect(await new Spool(dir, 1 << 20).write([kept('e000000000000002')])).toBe(true);
    expect(await new Spool(dir, 1 << 20).load(1 << 20)).toHaveLength(1);
  });
});

describe('a spool file that cannot be synced to disk', () => {
  it('is not written, and leaves no temporary file behind', async () => {
    const dir = scope.tempDir();
    const spool = new Spool(dir, 1 << 20);
    expect(await spool.write([kept('e000000000000003')])).toBe(true);
    const written = readdirSync(dir);
    syncFails.set('*', 'EIO');
    scope.defer(() => syncFails.clear());
    expect(await spool.write([kept('e000000000000004')])).toBe(false);
    expect(readdirSync(dir)).toEqual(written);
  });
});

describe('logs spooled at once', () => {
  it('go into several files when larger than one may be, all of them read back', async () => {
    const dir = scope.tempDir();
    const logs = ['f000000000000001', 'f000000000000002', 'f000000000000003', 'f000000000000004'].map(kept);
    const maxFileBytes = logs[0].body.length + 150;
    expect(await new Spool(dir, maxFileBytes).write(logs)).toBe(true);
    expect(readdirSync(dir)).toHaveLength(4);
    const read = await new Spool(dir, maxFileBytes).load(1 << 20);
    expect(read.map(({ entry }) => entry.key).sort()).toEqual(logs.map(({ key }) => key));
  });
});
