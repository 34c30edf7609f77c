import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The benchmarks run the built package (`npm run bench` builds it first) and import a few of its
// modules by path: a path the build no longer makes breaks the whole run at its first line.

const BENCH = resolve('bench');

/** The relative paths a script imports, statically or with import(). */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)].map((match) => match[1]);
}

describe('the benchmarks', () => {
  it('import only modules of this repository that the build makes', () => {
    const missing: string[] = [];
    const scripts = readdirSync(BENCH).filter((name) => name.endsWith('.mjs'));
    expect(scripts.length).toBeGreaterThan(0);
    for (const name of scripts) {
      const file = join(BENCH, name);
      for (const path of relativeImports(file)) if (!existsSync(resolve(dirname(file), path))) missing.push(`${name}: ${path}`);
    }
    expect(missing).toEqual([]);
  });
});
