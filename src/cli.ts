#!/usr/bin/env node
// `humanloop-otel-exporter serve`: the local Humanloop-compatible log server, for seeing what an
// app would send. Prints one line per stored log (ids and kinds only, never contents).
import { parseArgs } from 'node:util';
import { isLoopbackHost } from './config.js';
import { startLocalLogServer } from './local/index.js';
import type { StoredLog } from './local/index.js';

const USAGE = `Usage: humanloop-otel-exporter serve [--port N] [--host 127.0.0.1] [--api-key KEY]

Starts a Humanloop-compatible log API on loopback. Point the exporter's baseUrl at the URL it prints.`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      'api-key': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals[0] !== 'serve') {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return fail(`--port must be 0-65535, not ${values.port}`);
  if (!isLoopbackHost(values.host)) return fail(`--host must be a loopback address, not ${values.host}`);
  const server = await startLocalLogServer({ host: values.host, port, apiKey: values['api-key'] });
  console.log(`Humanloop-compatible log server at ${server.url} (POST ${server.url}/logs, GET ${server.url}/logs)`);
  const timer = setInterval(() => printNew(server.logs()), 250);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  clearInterval(timer);
  await server.close();
  return 0;
}

let printed = 0;

function printNew(logs: StoredLog[]): void {
  for (const log of logs.slice(printed)) {
    const config = log.config as { type?: string; model?: string; name?: string; agent_class?: string } | undefined;
    const what = config?.model ?? config?.agent_class ?? config?.name ?? '';
    const parent = log.parent_reference_id ? ` parent=${log.parent_reference_id}` : '';
    console.log(`${log.id} ref=${log.reference_id ?? '-'}${parent} ${config?.type ?? '?'} ${what}`);
  }
  printed = Math.max(printed, logs.length);
}

function fail(message: string): number {
  console.error(message);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
