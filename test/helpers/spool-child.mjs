// A process of its own with an exporter on a spool directory (the built package, as users run it).
// Usage: node spool-child.mjs <baseUrl> <spoolDir> <apiKey> [hold]
// It delivers what it reads there, shuts down and prints its counts of restored logs as one JSON line; with
// `hold`, it starts the exporter and then only waits (for a test to kill it).
import { HumanloopSpanExporter } from '../../dist/esm/index.js';

const [baseUrl, spoolDir, apiKey, mode] = process.argv.slice(2);
const exporter = new HumanloopSpanExporter({ apiKey, baseUrl, spoolDir, exportTimeoutMillis: 5_000 });
if (mode === 'hold') {
  setTimeout(() => process.exit(1), 60_000);
} else {
  await exporter.forceFlush();
  await exporter.shutdown();
  process.stdout.write(`${JSON.stringify(exporter.stats().restored)}\n`);
}
