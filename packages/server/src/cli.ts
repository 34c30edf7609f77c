#!/usr/bin/env node
// `humanloop-log-server <command>`: finds the command named by the first argument and runs it with
// the rest. Each command lives in its own module under cli/.
import type { CliCommand } from './cli/command.js';
import { gatewayCommand } from './cli/gateway.js';
import { importCommand } from './cli/import-command.js';
import { serveCommand } from './cli/serve.js';

const COMMANDS: Record<string, CliCommand> = { serve: serveCommand, import: importCommand, gateway: gatewayCommand };

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return `Usage: humanloop-log-server <command> [options]\n\nCommands:\n${lines.join('\n')}\n\n` +
    'Run humanloop-log-server <command> --help for its options.';
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    console.error(`unknown command: ${name}\n\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
