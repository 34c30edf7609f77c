// The install matrix: the packed package installed as a user would, with `npm install` and no flags,
// into a fresh project (`npm init -y`) beside each OpenTelemetry stack users run, then a span through
// our HumanloopSpanProcessor on that stack's provider, checked in the log server this script runs from
// the repository's build (the checks are in scripts/install-matrix/). One line per stack; exits 1 if any stack fails to install or deliver.
//
//   node scripts/install-matrix.mjs [--tarball FILE] [--only a,b] [--jobs N] [--keep]
//
// Every version is pinned to the exact one tested, so that a run today and a run next month install
// the same stacks (their own dependencies still float within the ranges the stacks declare). To move
// a stack on, change its versions here and run the matrix. Installs share npm's cache (its default,
// or npm_config_cache). Stacks that need Node 22 run on .ci/node-versions' Node 22 (`npm ci` there first).
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startLocalLogServer } from 'humanloop-log-server';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CHECKS = join(ROOT, 'scripts', 'install-matrix');
const NODE22 = join(ROOT, '.ci', 'node-versions', 'node_modules', 'node22', 'bin', 'node');
const INSTALL_TIMEOUT_MS = 5 * 60_000;
const CHECK_TIMEOUT_MS = 90_000;
const API_KEY = 'install-matrix-key';
/** No stack starts after this long; with each step's own timeout, a run ends within about 22 minutes. */
const BUDGET_MS = 15 * 60_000;

/** SDK 2.x's exporter line (0.2xx) and SDK 3.x's (0.3xx, Node 22.15+). */
const SDK2 = { trace: '2.12.1', exporters: '0.223.1' };
const SDK3 = { trace: '3.1.1', exporters: '0.301.2' };

/**
 * Each stack: the packages a user of it installs (exact versions), the check that runs a span
 * through it, and the Node line it needs (20: the Node running this script).
 */
const STACKS = [
  {
    name: 'nodesdk',
    node: 22,
    packages: [
      '@opentelemetry/api@1.10.0',
      `@opentelemetry/sdk-node@${SDK3.exporters}`,
      `@opentelemetry/sdk-trace@${SDK3.trace}`,
      `@opentelemetry/exporter-trace-otlp-http@${SDK3.exporters}`,
      `@opentelemetry/exporter-trace-otlp-proto@${SDK3.exporters}`,
      '@opentelemetry/auto-instrumentations-node@0.82.0',
    ],
  },
  {
    name: 'sdk2',
    node: 20,
    packages: ['@opentelemetry/api@1.9.1', `@opentelemetry/sdk-trace-node@${SDK2.trace}`, `@opentelemetry/sdk-trace-base@${SDK2.trace}`, `@opentelemetry/exporter-trace-otlp-http@${SDK2.exporters}`],
  },
  {
    name: 'sdk3',
    node: 22,
    packages: ['@opentelemetry/api@1.10.0', `@opentelemetry/sdk-trace@${SDK3.trace}`, `@opentelemetry/exporter-trace-otlp-http@${SDK3.exporters}`],
  },
  { name: 'vercel', node: 20, packages: ['@opentelemetry/api@1.9.1', '@vercel/otel@2.1.3'] },
  { name: 'traceloop', node: 20, packages: ['@traceloop/node-server-sdk@0.27.0'] },
  // Langfuse's peers are SDK 2's: with SDK 3's NodeSDK it does not install, with or without us.
  { name: 'langfuse', node: 20, packages: ['@opentelemetry/api@1.9.1', '@langfuse/otel@5.11.1', `@opentelemetry/sdk-node@0.223.0`] },
  {
    name: 'sentry',
    node: 20,
    packages: ['@sentry/node@11.12.0', `@opentelemetry/sdk-trace-node@${SDK2.trace}`, `@opentelemetry/sdk-trace-base@${SDK2.trace}`, `@opentelemetry/exporter-trace-otlp-http@${SDK2.exporters}`],
  },
  { name: 'phoenix', node: 20, packages: ['@arizeai/phoenix-otel@2.1.0'] },
];

function run(command, args, options) {
  return new Promise((done) => {
    execFile(command, args, { maxBuffer: 32 * 1024 * 1024, killSignal: 'SIGKILL', ...options }, (error, stdout, stderr) => {
      done({ ok: !error, timedOut: error?.killed === true, stdout, stderr });
    });
  });
}

/** The last lines of what a failed step printed: enough to see npm's ERESOLVE or the check's error. */
function tail(text, lines = 25) {
  return text.trim().split('\n').slice(-lines).join('\n');
}

async function packTarball() {
  const dir = mkdtempSync(join(tmpdir(), 'hl-matrix-pack-'));
  const packed = await run('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT, timeout: INSTALL_TIMEOUT_MS });
  if (!packed.ok) throw new Error(`npm pack failed:\n${tail(packed.stderr)}`);
  return join(dir, packed.stdout.trim().split('\n').pop());
}

function nodeFor(stack) {
  if (stack.node === 20) return process.execPath;
  if (!existsSync(NODE22)) throw new Error(`${stack.name} needs Node 22: run npm ci in .ci/node-versions`);
  return NODE22;
}

/** Installs and checks one stack; answers a result, never throws. */
async function runStack(stack, tarball, keep, logServerUrl) {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), `hl-matrix-${stack.name}-`));
  const result = { stack, installed: false, delivered: false, detail: '', seconds: 0, dir };
  try {
    const node = nodeFor(stack);
    await run('npm', ['init', '-y'], { cwd: dir, timeout: 30_000 });
    const install = await run('npm', ['install', '--no-audit', '--no-fund', tarball, ...stack.packages], { cwd: dir, timeout: INSTALL_TIMEOUT_MS });
    if (!install.ok) {
      result.detail = install.timedOut ? 'npm install timed out' : tail(install.stderr);
      return result;
    }
    result.installed = true;
    const check = `${stack.check ?? stack.name}.mjs`;
    copyFileSync(join(CHECKS, 'harness.mjs'), join(dir, 'harness.mjs'));
    copyFileSync(join(CHECKS, check), join(dir, check));
    const env = { ...process.env, HL_MATRIX_LOG_SERVER: logServerUrl, HL_MATRIX_API_KEY: API_KEY };
    const ran = await run(node, [check], { cwd: dir, env, timeout: CHECK_TIMEOUT_MS });
    const line = ran.stdout.trim().split('\n').pop() ?? '';
    const outcome = ran.ok && line.startsWith('{') ? JSON.parse(line) : undefined;
    result.delivered = outcome !== undefined && outcome.delivered > 0;
    result.detail = result.delivered
      ? `${outcome.delivered} log(s); the stack's own backend got ${outcome.sinkRequests} request(s)${outcome.note ? `; ${outcome.note}` : ''}`
      : ran.timedOut
        ? `the check timed out after ${CHECK_TIMEOUT_MS / 1000} s`
        : tail(`${ran.stdout}\n${ran.stderr}`);
    result.node = (await run(node, ['--version'], { timeout: 10_000 })).stdout.trim();
    return result;
  } catch (error) {
    result.detail = error instanceof Error ? error.message : String(error);
    return result;
  } finally {
    result.seconds = (performance.now() - started) / 1000;
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

function report(result) {
  const status = !result.installed ? 'INSTALL FAILED' : result.delivered ? 'installed, span delivered' : 'installed, SPAN NOT DELIVERED';
  const line = `${result.stack.name.padEnd(15)} ${status.padEnd(31)} ${result.seconds.toFixed(1).padStart(6)} s  ${result.node ?? ''}`;
  console.log(result.installed && result.delivered ? `${line}  ${result.detail}` : `${line}\n${result.detail.replace(/^/gm, '    ')}`);
}

/** Runs the stacks `jobs` at a time, reporting each as it finishes; none starts past the budget. */
async function runAll(stacks, tarball, jobs, keep, logServerUrl) {
  const queue = [...stacks];
  const results = [];
  const deadline = performance.now() + BUDGET_MS;
  const worker = async () => {
    for (let stack = queue.shift(); stack !== undefined; stack = queue.shift()) {
      const result =
        performance.now() < deadline
          ? await runStack(stack, tarball, keep, logServerUrl)
          : { stack, installed: false, delivered: false, seconds: 0, detail: `not run: the matrix's ${BUDGET_MS / 60_000} minutes ran out` };
      report(result);
      results.push(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, stacks.length) }, worker));
  return results;
}

async function main() {
  const { values } = parseArgs({
    options: { tarball: { type: 'string' }, only: { type: 'string' }, jobs: { type: 'string', default: '2' }, keep: { type: 'boolean', default: false } },
  });
  const only = values.only?.split(',');
  const stacks = only ? STACKS.filter((stack) => only.includes(stack.name)) : STACKS;
  if (stacks.length === 0) throw new Error(`no stack named ${values.only}; the stacks: ${STACKS.map((stack) => stack.name).join(', ')}`);
  const started = performance.now();
  const tarball = values.tarball ? resolve(values.tarball) : await packTarball();
  console.log(`Install matrix: ${tarball.split('/').pop()} beside ${stacks.length} stacks, ${values.jobs} at a time`);
  const logServer = await startLocalLogServer({ apiKey: API_KEY });
  const results = await runAll(stacks, tarball, Number(values.jobs) || 1, values.keep, logServer.url).finally(() => logServer.close());
  const failed = results.filter((result) => !result.delivered).length;
  console.log(`Install matrix: ${results.length - failed} passed, ${failed} failed in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (failed > 0) process.exitCode = 1;
}

await main();
