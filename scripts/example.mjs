// npm run example -- NAME: runs examples/NAME.mjs (or .cjs) against the built package (npm run
// example builds it first). Without a NAME, lists the examples. With EXAMPLE_LOGS_FILE set, the
// logs the example's local log server received are written there as JSON (for the tests).
import { readdirSync, writeFileSync } from 'node:fs';

const HELPERS = new Set(['local-setup', 'fake-openai']);
const names = readdirSync(new URL('../examples/', import.meta.url))
  .filter((file) => file.endsWith('.mjs') || file.endsWith('.cjs'))
  .map((file) => file.slice(0, -'.mjs'.length))
  .filter((name) => !HELPERS.has(name))
  .sort();

const name = process.argv[2];
if (!name || !names.includes(name)) {
  console.log(`${name ? `No example named ${name}. ` : ''}Examples (npm run example -- NAME):\n  ${names.join('\n  ')}`);
  process.exit(name ? 1 : 0);
}
const file = readdirSync(new URL('../examples/', import.meta.url)).find((candidate) => candidate.startsWith(`${name}.`));
const example = await import(`../examples/${file}`);
const logs = await example.main();
if (process.env.EXAMPLE_LOGS_FILE) writeFileSync(process.env.EXAMPLE_LOGS_FILE, JSON.stringify(logs ?? []));
