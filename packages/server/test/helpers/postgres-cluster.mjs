/**
 * A throwaway PostgreSQL cluster for tests and the store bench (plain JavaScript, so that
 * bench/store.mjs runs it too; postgres-cluster.d.mts types it): initdb into a temporary directory, the server on a free
 * loopback port (as the `postgres` user when we are root: PostgreSQL refuses to run as root), one
 * database per test, stopped and deleted at the end. The server can be stopped and started again on
 * the same data and port, as an outage. Missing server binaries fail the tests with how
 * to install them.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const START_POLLS = 200;
const POLL_MS = 100;

/** The newest installed server's bin directory, or undefined. */
export function serverBinaries() {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const bin = versions.map((version) => join(root, version, 'bin')).find((dir) => existsSync(join(dir, 'initdb')));
  return bin;
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/**
 * @param {{ fsync?: boolean }} [options] fsync off (the default) for tests; on for the bench's figures
 * @returns {Promise<import('./postgres-cluster.d.mts').PostgresCluster>}
 */
export async function startPostgresCluster({ fsync = false } = {}) {
  const bin = serverBinaries();
  if (!bin) {
    throw new Error('PostgreSQL server binaries (initdb, postgres) not found under /usr/lib/postgresql: install them with `apt-get install -y postgresql`');
  }
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'hl-pg-'));
  const user = asRoot ? { uid: Number(spawnSync('id', ['-u', 'postgres']).stdout), gid: Number(spawnSync('id', ['-g', 'postgres']).stdout) } : undefined;
  if (user) chownSync(dir, user.uid, user.gid);
  const as = (command, args) => (asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args]);
  const data = join(dir, 'data');
  const [initCommand, initArgs] = as(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const init = spawnSync(initCommand, initArgs, { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const [command, args] = as(join(bin, 'postgres'), ['-D', data, '-k', dir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `fsync=${fsync ? 'on' : 'off'}`]);
  const base = `postgres://postgres@127.0.0.1:${port}`;
  const startServer = async () => {
    const started = spawn(command, args, { stdio: 'ignore' });
    await waitForServer(`${base}/postgres`, started);
    return started;
  };
  let server = await startServer();
  const stopServer = async () => {
    if (!server || server.exitCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    // SIGINT to the postmaster itself (runuser does not pass it on): PostgreSQL's fast shutdown
    // (`pg_ctl stop -m fast`: connections are ended, the data is kept).
    const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(postmaster, 'SIGINT');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    server = undefined;
  };
  let databases = 0;
  return {
    async createDatabase() {
      const name = `test_${++databases}`;
      const client = new pg.Client({ connectionString: `${base}/postgres` });
      await client.connect();
      await client.query(`CREATE DATABASE ${name}`);
      await client.end();
      return `${base}/${name}`;
    },
    stopServer,
    async startServer() {
      if (!server) server = await startServer();
    },
    async stop() {
      await stopServer();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitForServer(url, server) {
  for (let polls = 0; polls < START_POLLS; polls++) {
    if (server.exitCode !== null) throw new Error(`postgres exited with ${server.exitCode} while starting`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
  throw new Error(`postgres did not answer within ${(START_POLLS * POLL_MS) / 1000} s`);
}
