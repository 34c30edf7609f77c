// The code the README's Quickstart and the guides (docs/guides/*.md) print, run as a new user runs
// it: for each document and each Node line its scenarios name, a fresh `npm init -y` project, the
// document's install line with the packed tarball in place of the package, and for each scenario
// the log server as printed (`npx humanloop-log-server serve`, run in a project of its own where the
// server's packed tarball is installed, as npx would fetch it), the printed files and commands, and a
// check of the logs that arrived (test/helpers/doc-scenarios.mjs). Needs the npm registry. Run by
// .ci/run after `npm pack` and scripts/pack-server.mjs, once .ci/node-versions is installed:
//   node .ci/runnable-docs.mjs EXPORTER_TGZ SERVER_TGZ [SCENARIO...]
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SCENARIOS } from '../test/helpers/doc-scenarios.mjs';
import { REPO, runScenario, sh, startPrintedServer, tarballProject } from '../test/helpers/runnable-docs.mjs';

const NODE_BINARIES = {
  20: process.execPath,
  22: resolve(REPO, '.ci/node-versions/node_modules/node22/bin/node'),
};

const [tarballArg, serverTarballArg, ...only] = process.argv.slice(2);
if (!tarballArg || !existsSync(tarballArg) || !serverTarballArg || !existsSync(serverTarballArg)) {
  console.error('usage: node .ci/runnable-docs.mjs EXPORTER_TGZ SERVER_TGZ [SCENARIO...]');
  process.exit(2);
}
const tarball = resolve(tarballArg);
assert.equal(process.versions.node.split('.')[0], '20', 'run this with Node 20: it is the Node 20 of the scenarios');

/** Scenarios grouped by the project they share: one document's install line on one Node line. */
function groups() {
  const byProject = new Map();
  for (const scenario of SCENARIOS.filter((candidate) => only.length === 0 || only.includes(candidate.name))) {
    for (const node of scenario.nodes) {
      const key = `${scenario.doc} on Node ${node}`;
      byProject.set(key, { doc: scenario.doc, node: NODE_BINARIES[node], scenarios: [...(byProject.get(key)?.scenarios ?? []), scenario] });
    }
  }
  return byProject;
}

/** Without the SDK installed, registerHumanloop says what to install instead of setting nothing up. */
async function checkWithoutSdk() {
  const { dir, remove } = await projectWith(`npm install ${tarball} @opentelemetry/api`);
  try {
    const script = "try { require('humanloop-otel-exporter').registerHumanloop(); } catch (e) { console.log(e.name + ': ' + e.message); }";
    const output = await sh(`node -e "${script}"`, { cwd: dir, env: process.env });
    assert.match(output, /ConfigurationError: registerHumanloop needs the OpenTelemetry JS SDK: install @opentelemetry\/sdk-trace-node/);
  } finally {
    remove();
  }
}

async function projectWith(install) {
  const dir = mkdtempSync(join(tmpdir(), 'hl-doc-run-'));
  await sh(`npm init -y > /dev/null && ${install} --no-audit --no-fund`, { cwd: dir, env: process.env });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const started = performance.now();
const failures = [];
const serverProject = await projectWith(`npm install ${tarball} ${resolve(serverTarballArg)}`);
console.log(`      the log server's package installed in ${seconds(performance.now() - started)}`);
for (const [key, { doc, node, scenarios }] of groups()) {
  const groupStart = performance.now();
  let project;
  try {
    project = await tarballProject(doc, { tarball, node });
    const installed = performance.now();
    for (const scenario of scenarios) {
      const server = await startPrintedServer(doc, { dir: serverProject.dir, node });
      try {
        await runScenario(scenario, { dir: project.dir, node, server });
        console.log(`ok    ${scenario.name} (${key})`);
      } catch (error) {
        failures.push(`${scenario.name} (${key}): ${error.stack ?? error}`);
        console.log(`FAIL  ${scenario.name} (${key})`);
      } finally {
        await server.close();
      }
    }
    console.log(`      ${key}: install ${seconds(installed - groupStart)}, run ${seconds(performance.now() - installed)}`);
  } catch (error) {
    failures.push(`${key}: ${error.stack ?? error}`);
    console.log(`FAIL  ${key}`);
  } finally {
    project?.remove();
  }
}
serverProject.remove();
if (only.length === 0) {
  await checkWithoutSdk().then(
    () => console.log('ok    registerHumanloop without the SDK names what to install'),
    (error) => failures.push(`without the SDK: ${error.stack ?? error}`),
  );
}
console.log(`The code of the README and the guides: ${seconds(performance.now() - started)} in all`);
if (failures.length > 0) {
  console.error(`\n${failures.join('\n\n')}`);
  process.exit(1);
}

function seconds(millis) {
  return `${(millis / 1000).toFixed(1)} s`;
}
