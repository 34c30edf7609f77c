// npm run example -- NAME: runs examples/NAME.mjs against the built package (npm run example
// builds it first). Without a NAME, lists the examples.
import { readdirSync } from 'node:fs';

const HELPERS = new Set(['local-setup', 'print-log-tree', 'fake-openai']);
const names = readdirSync(new URL('../examples/', import.meta.url))
  .filter((file) => file.endsWith('.mjs'))
  .map((file) => file.slice(0, -'.mjs'.length))
  .filter((name) => !HELPERS.has(name))
  .sort();

const name = process.argv[2];
if (!name || !names.includes(name)) {
  console.log(`${name ? `No example named ${name}. ` : ''}Examples (npm run example -- NAME):\n  ${names.join('\n  ')}`);
  process.exit(name ? 1 : 0);
}
const example = await import(`../examples/${name}.mjs`);
if (typeof example.main === 'function') await example.main();
