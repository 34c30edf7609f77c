// The code that the README's Quickstart and the guides (docs/guides/*.md) print, run as printed.
// A code block is taken when the line before its fence is a marker:
//   <!-- run: install -->        the npm install line (the package itself is replaced by the tarball)
//   <!-- run: serve -->          the local log server's command (run with `--port 0` added)
//   <!-- run: file NAME -->      a file the reader saves as NAME
//   <!-- run: command [NAME] --> a command the reader runs in the project
//   <!-- run: start -->          a server the reader starts (run in the background with PORT set)
// Commands run as printed, except that the local log server's printed address
// (http://127.0.0.1:8787) becomes the address of the one the run started.
// Used by test/runnable-docs.test.ts (in this repository, with its devDependencies) and by
// .ci/runnable-docs.mjs (each in a fresh `npm init -y` project with the packed tarball).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PRINTED_SERVER = 'http://127.0.0.1:8787';
const MARKER = /^<!-- run: (install|serve|file|command|start)(?: (\S+))? -->$/;
const COMMAND_TIMEOUT_MILLIS = 240_000;
const POLL_MILLIS = 100;

/** The marked code blocks of a Markdown document, in order. */
export function markedBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  for (let index = 0; index < lines.length; index++) {
    const marker = MARKER.exec(lines[index].trim());
    if (!marker) continue;
    const fence = /^(`{3,})\S*$/.exec(lines[index + 1]?.trim() ?? '');
    if (!fence) throw new Error(`line ${index + 1}: a run marker not followed by a code block`);
    const end = lines.findIndex((line, at) => at > index + 1 && line.trim() === fence[1]);
    if (end === -1) throw new Error(`line ${index + 2}: a code block that is not closed`);
    blocks.push({ kind: marker[1], name: marker[2], code: `${lines.slice(index + 2, end).join('\n')}\n` });
    index = end;
  }
  return blocks;
}

/** The marked blocks of `doc` (a path from the repository's root). */
export function docBlocks(doc) {
  return markedBlocks(readFileSync(join(REPO, doc), 'utf8'));
}

function onlyBlock(blocks, kind, name, doc) {
  const found = blocks.filter((block) => block.kind === kind && (name === undefined || block.name === name));
  if (found.length !== 1) throw new Error(`${doc}: ${found.length} blocks marked "run: ${kind}${name ? ` ${name}` : ''}", expected 1`);
  return found[0];
}

/**
 * What a scenario runs, from its document: its files (a file block may be saved under another
 * name: `{ block, as }`), its commands (or the scenario's own `run`, commands the document
 * describes in words), and the server it starts.
 */
export function scenarioCode(scenario) {
  const blocks = docBlocks(scenario.doc);
  const names = scenario.files ?? blocks.filter((block) => block.kind === 'file').map((block) => block.name);
  const files = names.map((entry) => {
    const { block, as } = typeof entry === 'string' ? { block: entry, as: entry } : entry;
    return { ...onlyBlock(blocks, 'file', block, scenario.doc), name: as };
  });
  if (files.length === 0) throw new Error(`${scenario.doc}: no block marked "run: file"`);
  const commands =
    scenario.run?.map((code) => ({ kind: 'command', name: undefined, code })) ??
    blocks.filter((block) => block.kind === 'command' && (scenario.command === undefined || block.name === scenario.command));
  if (commands.length === 0) throw new Error(`${scenario.doc}: no block marked "run: command${scenario.command ? ` ${scenario.command}` : ''}"`);
  const start = blocks.find((block) => block.kind === 'start');
  return { files, commands, start };
}

/**
 * A project in this repository (`.doc-runs/`), as `npm init -y` makes one, where the package
 * resolves to this checkout (its built dist) and every other package to this repository's
 * node_modules.
 */
export function repoProject(name) {
  const parent = join(REPO, '.doc-runs');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, `${name}-`));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name, version: '1.0.0', type: 'commonjs' }, null, 2)}\n`);
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(REPO, join(dir, 'node_modules', 'humanloop-otel-exporter'), 'dir');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh project in the temp directory: `npm init -y`, then the document's install line with the packed tarball. */
export async function tarballProject(doc, { tarball, node }) {
  const dir = mkdtempSync(join(tmpdir(), 'hl-doc-run-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const env = commandEnv(node, {});
  const install = onlyBlock(docBlocks(doc), 'install', undefined, doc).code.replace(/(^|\s)humanloop-otel-exporter(?=\s|$)/gm, `$1${tarball}`);
  try {
    await sh('npm init -y > /dev/null', { cwd: dir, env });
    await sh(`set -e\n${install}`, { cwd: dir, env: { ...env, npm_config_audit: 'false', npm_config_fund: 'false' } });
  } catch (error) {
    remove();
    throw error;
  }
  return { dir, remove };
}

/**
 * Runs a scenario in `dir`: writes its files, runs its commands with the local log server's
 * address (and, with `openai`, a fake OpenAI's) in the environment, and checks what the server
 * received with `scenario.expect(logs)`. `server` is `{ url, close }` of a running local log
 * server; `node` the binary the commands' `node` and `npx` are.
 */
export async function runScenario(scenario, { dir, node, server }) {
  const { files, commands, start } = scenarioCode(scenario);
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.name)), { recursive: true });
    writeFileSync(join(dir, file.name), file.code);
  }
  const openai = scenario.openai ? await startFakeOpenAI() : undefined;
  const collector = scenario.collector ? await startCollector() : undefined;
  const env = commandEnv(node, {
    HUMANLOOP_API_KEY: 'local-key',
    HUMANLOOP_BASE_URL: server.url,
    ...(openai ? { OPENAI_BASE_URL: openai.url, OPENAI_API_KEY: 'not-a-real-key' } : {}),
    ...(collector ? { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url } : {}),
  });
  try {
    const outputs = [];
    for (const command of commands) outputs.push(await sh(printedServer(command.code, server.url), { cwd: dir, env }));
    if (start) await aroundServer(printedServer(start.code, server.url), { cwd: dir, env }, (port) => scenario.request(port));
    await expectLogs(scenario, server.url, { collectorSpans: collector?.spans });
    return outputs.join('');
  } finally {
    await openai?.close();
    await collector?.close();
  }
}

/**
 * Starts the local log server as the document prints it (its `serve` block, else the command the
 * Quickstart prints) in `dir`, on a free port; resolves with `{ url, close }`.
 */
export async function startPrintedServer(doc, { dir, node }) {
  const serve = docBlocks(doc).find((block) => block.kind === 'serve')?.code ?? 'npx humanloop-log-server serve';
  const command = `${serve.trim()} --port 0`;
  // A process group of its own: npx runs the server as a child, and both are stopped.
  const child = spawn('sh', ['-c', `exec ${command}`], { cwd: dir, env: commandEnv(node, {}), stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk));
  const url = await poll(() => /http:\/\/127\.0\.0\.1:\d+\/v4/.exec(output)?.[0], 'the log server to start', 60_000).catch(async (error) => {
    await stop(child);
    throw error;
  });
  return { url, close: () => stop(child) };
}

/** The logs a local log server holds, read as anyone on this machine can (`GET /logs`). */
export async function readLogs(url) {
  const response = await fetch(`${url}/logs`);
  if (!response.ok) throw new Error(`GET ${url}/logs answered ${response.status}`);
  return response.json();
}

/** `scenario.expect` holds of the server's logs, within a few seconds (a server's requests may still be on their way). */
async function expectLogs(scenario, url, seen) {
  let failure;
  const held = await poll(
    async () => {
      try {
        scenario.expect(await readLogs(url), seen);
        return true;
      } catch (error) {
        failure = error;
        return undefined;
      }
    },
    'the logs',
    10_000,
  ).catch(() => false);
  if (!held) throw failure;
}

function printedServer(code, url) {
  return code.replaceAll(`${PRINTED_SERVER}/v4`, url).replaceAll(PRINTED_SERVER, new URL(url).origin);
}

/**
 * The environment the printed commands run in: `node` first on PATH, none of this process's
 * Humanloop, OpenTelemetry or OpenAI settings, nor what an npm script or the test runner set
 * (npm's own configuration, `npm_config_*`, stays).
 */
function commandEnv(node, extra) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(HUMANLOOP_|OTEL_|OPENAI_|NODE_OPTIONS$|npm_package_|npm_lifecycle_|VITEST)/.test(key)),
  );
  return { ...env, PATH: `${dirname(node)}${delimiter}${process.env.PATH}`, ...extra };
}

/** Runs a shell command; rejects with its output when it fails. */
export function sh(command, { cwd, env, timeoutMillis = COMMAND_TIMEOUT_MILLIS }) {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMillis);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`\`${command.trim()}\` in ${cwd} ended with ${signal ?? `code ${code}`}:\n${output}`));
    });
  });
}

/** Starts the printed server command with PORT set, calls `use(port)` once it answers, then stops it. */
async function aroundServer(command, { cwd, env }, use) {
  const port = await freePort();
  const child = spawn('sh', ['-c', `exec ${command.trim()}`], { cwd, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk));
  try {
    await poll(() => fetch(`http://127.0.0.1:${port}/`).then(() => true, () => undefined), `\`${command.trim()}\` to answer`, 60_000);
    await use(port);
  } catch (error) {
    throw new Error(`${error.message}\n${output}`);
  } finally {
    await stop(child);
  }
}

/** Stops a child started `detached` and every process of its group; resolves once it has exited. */
function stop(child) {
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // The group is gone already.
  }
  return exited;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

/** Calls `check` until it returns something other than undefined, for at most `timeoutMillis`. */
async function poll(check, what, timeoutMillis) {
  const deadline = Date.now() + timeoutMillis;
  for (let polls = 0; polls <= timeoutMillis / POLL_MILLIS; polls++) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MILLIS));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Stands in for an OpenTelemetry Collector: an OTLP/HTTP JSON receiver that keeps the names of the spans it gets. */
async function startCollector() {
  const spans = [];
  const server = createHttpServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        for (const resource of body.resourceSpans ?? []) for (const scope of resource.scopeSpans ?? []) spans.push(...scope.spans.map((span) => span.name));
      } catch {
        spans.push('(a request that is not OTLP JSON)');
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function startFakeOpenAI() {
  const { startFakeOpenAI: start } = await import(join(REPO, 'examples', 'fake-openai.mjs'));
  return start();
}
