import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalLogServer } from 'humanloop-log-server/testing';
import { SCENARIOS } from './helpers/doc-scenarios.mjs';
import { docBlocks, REPO, repoProject, runScenario, scenarioCode } from './helpers/runnable-docs.mjs';

/**
 * The code the README's Quickstart and the guides print, run as printed (the blocks marked
 * `<!-- run: ... -->`) against the built package (`npm test` builds first) and a local log server,
 * in a CommonJS project as `npm init -y` makes one, with this repository's packages. The CI
 * (.ci/runnable-docs.mjs) runs every scenario again in fresh projects with the packed tarball and
 * the printed install lines, on the Node lines each names.
 */

const GUIDES = existsSync(join(REPO, 'docs', 'guides')) ? readdirSync(join(REPO, 'docs', 'guides')).filter((file) => file.endsWith('.md')) : [];
const DOCS = ['README.md', ...GUIDES.map((file) => `docs/guides/${file}`)];

describe('the code the README and the guides print', () => {
  for (const scenario of SCENARIOS.filter((candidate) => candidate.inRepo)) {
    it(`${scenario.name} (${scenario.doc}) runs as printed and its logs arrive`, async () => {
      const server = await startLocalLogServer({});
      const project = repoProject(scenario.name);
      try {
        await runScenario(scenario, { dir: project.dir, node: process.execPath, server });
      } finally {
        project.remove();
        await server.close();
      }
    }, 60_000);
  }

  it('is run, every marked file and command of it, by some scenario', () => {
    const unrun = DOCS.flatMap((doc) => {
      const run = new Set(
        SCENARIOS.filter((scenario) => scenario.doc === doc).flatMap((scenario) => {
          const { files, commands, start } = scenarioCode(scenario);
          return [...files, ...commands, ...(start ? [start] : [])];
        }),
      );
      const blocks = docBlocks(doc).filter((block) => ['file', 'command', 'start'].includes(block.kind));
      return blocks.filter((block) => ![...run].some((taken) => taken.code === block.code && taken.kind === block.kind)).map((block) => `${doc}: ${block.kind} ${block.name ?? ''}`);
    });
    expect(unrun).toEqual([]);
    for (const guide of GUIDES) expect(SCENARIOS.some((scenario) => scenario.doc === `docs/guides/${guide}`), guide).toBe(true);
  });
});
