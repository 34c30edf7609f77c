// Installed size: what a package costs on disk, its own files and the runtime dependencies npm
// installs with it (its dependencies, theirs, and so on; peer dependencies are the application's
// own). This package is counted as `npm pack` would publish it (the build must be there); the OTLP
// HTTP exporter as installed in node_modules, which holds what its tarball held. Each dependency is
// found as node finds it (the package's own node_modules first, then upwards), each name and
// version counted once; sizes are the files' bytes, as npm's "unpacked size" counts them.
//   node bench/install-size.mjs   prints the table; import { measureInstallSize } for the full benchmark
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt } from './figures.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const MB = 1e6;

/** Bytes of the files under a package's folder, its own node_modules left out (its dependencies count apart). */
function folderBytes(folder) {
  let bytes = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) bytes += folderBytes(path);
    else if (entry.isFile()) bytes += statSync(path).size;
  }
  return bytes;
}

/** The folder node would load `name` from, required by the package in `from`. */
function resolvePackage(name, from) {
  for (let folder = from; ; folder = dirname(folder)) {
    const candidate = join(folder, 'node_modules', name);
    try {
      if (statSync(join(candidate, 'package.json')).isFile()) return candidate;
    } catch {
      // Not here: look one folder up.
    }
    if (folder === dirname(folder)) throw new Error(`${name} (needed by ${from}) is not installed`);
  }
}

const manifest = (folder) => JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
const runtimeDependencies = (pkg) => Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies });

/**
 * Every package installed with the one in `folder` for it to run, each name and version counted
 * once (as a clean install would hold it), leaving out the package's peers wherever they are
 * asked for: the application has them already.
 */
function closure(folder) {
  const peers = new Set(Object.keys(manifest(folder).peerDependencies ?? {}));
  const found = new Map();
  const visit = (from) => {
    for (const name of runtimeDependencies(manifest(from))) {
      if (peers.has(name)) continue;
      const dependency = resolvePackage(name, from);
      const { version } = manifest(dependency);
      if (found.has(`${name}@${version}`)) continue;
      found.set(`${name}@${version}`, { name, version, bytes: folderBytes(dependency) });
      visit(dependency);
    }
  };
  visit(folder);
  return [...found.values()].sort((a, b) => b.bytes - a.bytes);
}

/** This package as it would be published, with what its files hold. */
function packed() {
  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' }));
  const sum = (test) => pack.files.filter(({ path }) => test(path)).reduce((total, { size }) => total + size, 0);
  const code = (format) => sum((path) => path.startsWith(`dist/${format}/`) && !path.endsWith('.map') && !path.endsWith('.d.ts'));
  return {
    bytes: pack.unpackedSize,
    tarballBytes: pack.size,
    files: pack.entryCount,
    sourceMapBytes: sum((path) => path.endsWith('.map')),
    declarationBytes: sum((path) => path.endsWith('.d.ts')),
    esmBytes: code('esm'),
    cjsBytes: code('cjs'),
  };
}

export function measureInstallSize() {
  const ours = packed();
  const otlpFolder = resolvePackage('@opentelemetry/exporter-trace-otlp-http', ROOT);
  const row = (own, dependencies) => ({ own, dependencies, total: own + dependencies.reduce((sum, d) => sum + d.bytes, 0) });
  const humanloop = { ...row(ours.bytes, closure(ROOT)), packed: ours };
  const otlp = { ...row(folderBytes(otlpFolder), closure(otlpFolder)), version: manifest(otlpFolder).version };
  return { humanloop, otlp, ratio: humanloop.total / otlp.total };
}

const mb = (bytes) => `${fmt(bytes / MB, 2)} MB`;
const listed = (dependencies) => dependencies.map((d) => `${d.name} ${mb(d.bytes)}`).join(', ');

export function printInstallSize({ humanloop, otlp, ratio }) {
  const p = humanloop.packed;
  console.log('8. Installed size: the package and the runtime dependencies installed with it (peers left out)');
  console.log(`   humanloop-otel-exporter: ${mb(humanloop.total)} = the package ${mb(humanloop.own)} (tarball ${mb(p.tarballBytes)}, ${fmt(p.files)} files) + ${humanloop.dependencies.length} dependencies ${mb(humanloop.total - humanloop.own)}`);
  console.log(`     the package: ESM code ${mb(p.esmBytes)}, CommonJS code ${mb(p.cjsBytes)}, type declarations ${mb(p.declarationBytes)}, source maps ${mb(p.sourceMapBytes)}`);
  console.log(`     dependencies: ${listed(humanloop.dependencies)}`);
  console.log(`   @opentelemetry/exporter-trace-otlp-http ${otlp.version}: ${mb(otlp.total)} = the package ${mb(otlp.own)} + ${otlp.dependencies.length} dependencies ${mb(otlp.total - otlp.own)}`);
  console.log(`     dependencies: ${listed(otlp.dependencies)}`);
  console.log(`   humanloop-otel-exporter / OTLP HTTP exporter, installed: ${fmt(ratio, 2)}x`);
}

if (import.meta.url === `file://${process.argv[1]}`) printInstallSize(measureInstallSize());
