#!/usr/bin/env node
// `humanloop-otel-exporter serve` and `gateway` lived here before the log server became a package
// of its own: each now says, in one line, the command that replaced it.
const MOVED = new Set(['serve', 'gateway']);

const name = process.argv[2];
if (name !== undefined && MOVED.has(name)) {
  console.error(`humanloop-otel-exporter ${name} moved to the log server's package: run npx humanloop-log-server ${name}, with the same options`);
} else {
  console.error('humanloop-otel-exporter has no commands of its own; the log server, its viewer and the OTLP gateway are in the humanloop-log-server package: npx humanloop-log-server --help');
}
process.exitCode = 2;
