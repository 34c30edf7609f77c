// Writes logs to a SQLite store one at a time, printing each id once the store acknowledged it,
// until it is killed (or has written 100,000).
import { openStore } from '../../dist/index.js';

const store = await openStore({ db: process.argv[2] });
for (let i = 0; i < 100_000; i++) {
  const [created] = await store.addV4([{ project: 'kill-test', output: `log ${i}` }], i);
  process.stdout.write(`${created.id}\n`);
}
await store.close();
