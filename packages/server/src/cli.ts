#!/usr/bin/env node
/** `humanloop-log-server <command>`: the log server's storage commands. */
import { IMPORT_USAGE, runImport } from './cli/import-command.js';

const [command, ...args] = process.argv.slice(2);
if (command === 'import') process.exitCode = await runImport(args, process);
else {
  process.stderr.write(`${command === undefined ? 'no command given' : `unknown command ${command}`}\n${IMPORT_USAGE}\n`);
  process.exitCode = 2;
}
