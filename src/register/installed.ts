import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describeError } from '../common/diag.js';
import packageRequire from './package-require.cjs';

/** A package the application may have installed, as found when it was asked for. */
export type Installed<T> =
  | { found: true; module: T; major: number | undefined; require: NodeJS.Require }
  | { found: false; reason: string | undefined };

/** How many directories up from a package's entry file its package.json may be. */
const MAX_PACKAGE_DEPTH = 8;

/**
 * Where an application's packages are looked for: from this package, as any of its dependencies
 * would be, then from the working directory (the application's root, where a bundled copy of this
 * package or a strict package manager leaves nothing to find next to it).
 */
export function applicationRequires(): NodeJS.Require[] {
  return [packageRequire, createRequire(join(process.cwd(), 'index.js'))];
}

/**
 * Loads `name` with the first of `requires` that finds it. Not found anywhere: `reason` is unset;
 * found but not loadable (an ES module on an older Node, a broken install): `reason` says why.
 */
export function findInstalled<T>(name: string, requires: NodeJS.Require[] = applicationRequires()): Installed<T> {
  let reason: string | undefined;
  for (const require of requires) {
    const path = resolve(require, name);
    if (path === undefined) continue;
    try {
      return { found: true, module: require(name) as T, major: majorVersion(path, name), require: createRequire(path) };
    } catch (error) {
      reason ??= describeError(error);
    }
  }
  return { found: false, reason };
}

function resolve(require: NodeJS.Require, name: string): string | undefined {
  try {
    const path = require.resolve(name);
    return typeof path === 'string' ? path : undefined;
  } catch {
    return undefined;
  }
}

/** The major version in the package.json of `name` above its entry file `path`. */
function majorVersion(path: string, name: string): number | undefined {
  let dir = dirname(path);
  for (let depth = 0; depth < MAX_PACKAGE_DEPTH; depth++) {
    const manifest = readManifest(join(dir, 'package.json'));
    if (manifest?.name === name) {
      const major = Number.parseInt(String(manifest.version), 10);
      return Number.isNaN(major) ? undefined : major;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

function readManifest(file: string): { name?: unknown; version?: unknown } | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
  } catch {
    return undefined;
  }
}
