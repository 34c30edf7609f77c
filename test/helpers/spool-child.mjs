// A process of its own with an exporter on a spool directory (the built package, as users run it):
// it delivers what it reads there, shuts down, and prints its span counts as one JSON line.
// Usage: node spool-child.mjs <baseUrl> <spoolDir> <apiKey>
import { HumanloopSpanExporter } from '../../dist/esm/index.js';

const [baseUrl, spoolDir, apiKey] = process.argv.slice(2);
const exporter = new HumanloopSpanExporter({ apiKey, baseUrl, spoolDir, exportTimeoutMillis: 5_000 });
await exporter.forceFlush();
await exporter.shutdown();
process.stdout.write(`${JSON.stringify(exporter.stats().spans)}\n`);
