// Reads a spool directory, then, from a process 'exit' handler (where nothing asynchronous runs),
// writes back what it read: as an exporter would spool what it still holds when its process ends.
// Usage: node spool-exit-child.mjs <spoolDir>
import { Spool } from '../../build/esm/custody/spool.js';

const [dir] = process.argv.slice(2);
const spool = new Spool(dir, 1 << 20);
const restored = await spool.load(1 << 20);
process.on('exit', () => {
  if (!spool.writeSync(restored.map(({ entry }) => entry))) process.exitCode = 3;
  else for (const { file } of restored) spool.settledSync(file);
});
process.exit(0);
