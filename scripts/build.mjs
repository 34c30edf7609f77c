// Builds the package: TypeScript compiles the source, module by module, into build/esm (which tests
// that need one module on its own load), with the type declarations; esbuild then joins it into one
// file for each form, ES module and CommonJS, in dist/, which is what the package ships with the
// declarations. One file because the
// ES module loader pays per file: an application importing the exporter on a serverless cold start
// loaded about a hundred of them. undici (loaded when the first log is sent) and the OpenTelemetry
// API stay the application's packages, and package-require.cjs stays a file of its own, since it
// is this package's `require`, which must sit where the package is.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { buildSync } from 'esbuild';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const FORMATS = { esm: 'module', cjs: 'commonjs' };

rmSync('dist', { recursive: true, force: true });
rmSync('build', { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
for (const [format, type] of Object.entries(FORMATS)) {
  buildSync({
    entryPoints: ['build/esm/index.js'],
    outfile: `dist/${format}/index.js`,
    bundle: true,
    platform: 'node',
    format,
    target: 'node20',
    external: ['undici', '@opentelemetry/api', './package-require.cjs'],
    // CommonJS loads undici with require, as the CommonJS build always did (import() would go through the ES module loader).
    supported: { 'dynamic-import': format === 'esm' },
    logLevel: 'warning',
  });
  copyFileSync('build/esm/register/package-require.cjs', `dist/${format}/package-require.cjs`);
  cpSync('build/esm', `dist/${format}`, { recursive: true, filter: (path) => !/\.[cm]?js$/.test(path) });
  writeFileSync(`dist/${format}/package.json`, `{ "type": "${type}" }\n`);
}
copyFileSync('build/esm/cli.js', 'dist/esm/cli.js');
chmodSync('dist/esm/cli.js', 0o755);
