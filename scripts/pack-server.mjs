// Packs the log server's package (packages/server) as it would be published. In this repository it
// depends on the exporter by path (`file:../..`, so that npm links the two); the tarball names the
// exporter's version instead, the range a user's npm resolves from the registry or from the
// exporter's own tarball installed beside it.
//
//   node scripts/pack-server.mjs DESTINATION_DIR   (prints the tarball's path)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SERVER = join(ROOT, 'packages', 'server');
const destination = resolve(process.argv[2] ?? '.');

const exporterVersion = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
const manifest = JSON.parse(readFileSync(join(SERVER, 'package.json'), 'utf8'));
manifest.dependencies['humanloop-otel-exporter'] = `^${exporterVersion}`;
delete manifest.devDependencies;

const staging = mkdtempSync(join(tmpdir(), 'hl-server-pack-'));
try {
  for (const entry of manifest.files) cpSync(join(SERVER, entry), join(staging, entry), { recursive: true });
  writeFileSync(join(staging, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const name = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', destination], { cwd: staging, encoding: 'utf8' }).trim().split('\n').pop();
  console.log(join(destination, name));
} finally {
  rmSync(staging, { recursive: true, force: true });
}
