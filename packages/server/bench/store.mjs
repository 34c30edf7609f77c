// The storage engines under load, SQLite and PostgreSQL in one run: sustained ingest (logs/s, p50/p99
// per write of one request of BATCH logs), then at N stored logs the latency of a filtered page, a
// page deep in the cursor, a trace by id and counts with token sums; RSS before, after and at its
// peak. Figures are printed, never asserted.
//   --logs N           how many logs to store (default 100,000; --quick: 5,000 and fewer queries)
//   --db postgres://…  PostgreSQL on that (empty) database; without it a throwaway cluster is
//                      started (fsync on) when the server binaries are installed
//   --only sqlite|postgres
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, sqliteLibrary } from '../dist/index.js';
import { serverBinaries, startPostgresCluster } from '../test/helpers/postgres-cluster.mjs';

const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const quick = args.includes('--quick');
const N = Number(option('--logs') ?? (quick ? 5_000 : 100_000));
const only = option('--only');
const BATCH = 10;
const QUERIES = quick ? 20 : 200;
/** Counting every log is a scan: fewer of them. */
const TOTALS = quick ? 5 : 20;
/** How deep the deep page is: half the logs, at most this many pages of MAX_PAGE walked to get there. */
const MAX_PAGE = 1000;
const DEEP_WALK_PAGES = quick ? 3 : 200;
/** A trace root id kept every this many requests, to ask for traces across the whole range. */
const ROOT_EVERY = Math.max(1, Math.floor(N / BATCH / 1000));

if (!Number.isInteger(N) || N < BATCH) throw new Error(`--logs must be an integer of at least ${BATCH}`);

function log(i) {
  return {
    project: `project-${i % 5}`,
    reference_id: `ref-${i}`,
    ...(i % 10 === 0 ? {} : { parent_reference_id: `ref-${i - (i % 10)}` }),
    ...(i % 100 === 0 ? { session_reference_id: `session-${Math.floor(i / 100)}` } : {}),
    config: { type: i % 10 === 0 ? 'agent' : 'model', model: 'gpt-4o-mini', provider: 'openai' },
    messages: [{ role: 'user', content: `question ${i} ${'lorem ipsum '.repeat(40)}` }],
    output: `answer ${i} ${'dolor sit '.repeat(20)}`,
    prompt_tokens: 120,
    output_tokens: 40,
    created_at: new Date(1_765_000_000_000 + i * 1000).toISOString(),
    ...(i % 50 === 0 ? { error: 'rate limited' } : {}),
  };
}

function ms(value) {
  return value < 10 ? value.toFixed(2) : value.toFixed(0);
}

function summary(times) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
  return `p50 ${ms(at(0.5))} ms, p99 ${ms(at(0.99))} ms`;
}

async function timed(count, fn) {
  const times = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await fn(i);
    times.push(performance.now() - start);
  }
  return times;
}

const mb = (bytes) => `${Math.round(bytes / 1e6)} MB`;

async function ingest(store, rss) {
  const roots = [];
  const writes = new Float64Array(N / BATCH);
  const started = performance.now();
  let lastReport = started;
  for (let b = 0; b < N / BATCH; b++) {
    const start = performance.now();
    const created = await store.addV4(Array.from({ length: BATCH }, (_, j) => log(b * BATCH + j)), b);
    const end = performance.now();
    writes[b] = end - start;
    if (b % ROOT_EVERY === 0) roots.push(created[0].id);
    if (b % 100 === 0) rss.sample();
    if (end - lastReport > 30_000) {
      lastReport = end;
      process.stderr.write(`  ${(b + 1) * BATCH} logs, ${Math.round(((b + 1) * BATCH * 1000) / (end - started))} logs/s, RSS ${mb(rss.now())}\n`);
    }
  }
  return { seconds: (performance.now() - started) / 1000, writes, roots };
}

/** A cursor about half-way down, newest first (walked there page by page, as a client would). */
async function deepCursor(store) {
  const pages = Math.max(1, Math.min(DEEP_WALK_PAGES, Math.floor(N / 2 / MAX_PAGE)));
  let cursor;
  for (let i = 0; i < pages; i++) cursor = (await store.list({ limit: MAX_PAGE, ...(cursor === undefined ? {} : { cursor }) })).next;
  return { cursor, depth: pages * MAX_PAGE };
}

function rssTracker() {
  let peak = process.memoryUsage.rss();
  return {
    now: () => process.memoryUsage.rss(),
    sample() {
      peak = Math.max(peak, process.memoryUsage.rss());
    },
    get peak() {
      return peak;
    },
  };
}

async function bench(name, db) {
  const rss = rssTracker();
  const before = rss.now();
  const store = await openStore({ db });
  try {
    const { seconds, writes, roots } = await ingest(store, rss);
    const stored = (await store.totals()).logs;
    const pages = await timed(QUERIES, (q) => store.list({ filter: { project: `project-${q % 5}`, kind: 'model', error: false }, limit: 50 }));
    rss.sample();
    const deep = await deepCursor(store);
    const deepPages = await timed(QUERIES, () => store.list({ cursor: deep.cursor, limit: 50 }));
    const traces = await timed(QUERIES, (q) => store.trace('v4', roots[(q * 7919) % roots.length]));
    rss.sample();
    const totals = await timed(TOTALS, (q) => store.totals(q % 2 === 0 ? {} : { project: `project-${q % 5}` }));
    rss.sample();
    console.log(`${name}: ${stored} logs stored in requests of ${BATCH}: ${Math.round(N / seconds)} logs/s sustained; write ${summary(writes)}`);
    console.log(`  at ${stored} logs: filtered page of 50 ${summary(pages)}; page of 50 at depth ${deep.depth} ${summary(deepPages)}`);
    console.log(`  trace of 10 by id ${summary(traces)}; counts and token sums (all, one project) ${summary(totals)}`);
    console.log(`  RSS ${mb(before)} before, ${mb(rss.now())} after, ${mb(rss.peak)} peak`);
  } finally {
    await store.close();
  }
}

/** `--db postgres://…`, else a throwaway cluster when PostgreSQL is installed, else none. */
async function postgresTarget() {
  const given = option('--db');
  if (given?.startsWith('postgres')) return { url: given, stop: async () => undefined };
  if (!serverBinaries()) return undefined;
  const cluster = await startPostgresCluster({ fsync: true });
  return { url: await cluster.createDatabase(), stop: () => cluster.stop() };
}

console.log(`node ${process.version}, ${N} logs of about 1 KB (${BATCH} per request, serial), ${QUERIES} queries each, ${TOTALS} counts`);
if (only !== 'postgres') {
  const dir = mkdtempSync(join(tmpdir(), 'hl-bench-store-'));
  try {
    await bench(`sqlite (${sqliteLibrary()})`, join(dir, 'bench.db'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (only !== 'sqlite') {
  const target = await postgresTarget();
  if (!target) console.log('postgres: not measured (no --db postgres://… given and no PostgreSQL server installed)');
  try {
    if (target) await bench('postgres', target.url);
  } finally {
    await target?.stop();
  }
}
