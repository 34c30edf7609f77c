// What each piece of code the README and the guides print must make: the scenarios that
// test/runnable-docs.test.ts runs in this repository (those marked inRepo: their packages are
// devDependencies) and .ci/runnable-docs.mjs runs in fresh projects (all of them, on the Node
// lines in `nodes`), and the logs each must leave in the local log server.
import assert from 'node:assert/strict';

const types = (logs) => logs.map((log) => log.config.type).sort();
const ofType = (logs, type) => logs.filter((log) => log.config.type === type);

/** Every log of `type` hangs under a log of `parentType`. */
function nestedUnder(logs, type, parentType) {
  const parents = new Set(ofType(logs, parentType).map((log) => log.reference_id));
  for (const log of ofType(logs, type)) assert.ok(parents.has(log.parent_reference_id), `a ${type} log under a ${parentType}`);
}

/** The Quickstart: the AI SDK's run as an agent log, its model call under it. */
function quickstartLogs(logs) {
  assert.deepEqual(types(logs), ['agent', 'model']);
  nestedUnder(logs, 'model', 'agent');
  assert.equal(ofType(logs, 'model')[0].output, 'Hello from the quickstart!');
  assert.ok(logs.every((log) => log.project === 'quickstart'), 'in the project the code names');
}

export const SCENARIOS = [
  { name: 'quickstart-cjs', doc: 'README.md', files: ['app.js'], command: 'app.js', nodes: [20, 22], inRepo: true, expect: quickstartLogs },
  { name: 'quickstart-esm', doc: 'README.md', files: ['app.mjs'], command: 'app.mjs', nodes: [20, 22], inRepo: true, expect: quickstartLogs },
  {
    // The ES module form saved as app.ts in the CommonJS project: type-checked, then run with tsx.
    name: 'quickstart-ts',
    doc: 'README.md',
    files: [{ block: 'app.mjs', as: 'app.ts' }],
    run: [
      'npx --yes -p typescript@5.9.3 tsc --noEmit --strict --module nodenext --target es2022 --lib es2022,dom --skipLibCheck app.ts',
      'npx --yes tsx app.ts',
    ],
    nodes: [22],
    inRepo: false,
    expect: quickstartLogs,
  },
];
