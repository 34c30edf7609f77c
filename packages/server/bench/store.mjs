// The storage engines under load: sustained ingest (logs/s, p50/p99 per write of one request of
// BATCH logs), a filtered page and a trace at N stored logs, and RSS before and after. Figures are
// printed, never asserted. `--quick`: fewer logs. `--db postgres://…` (an empty database) adds
// PostgreSQL; without it only SQLite runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, sqliteLibrary } from '../dist/index.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const postgres = args[args.indexOf('--db') + 1];
const N = quick ? 5_000 : 100_000;
const BATCH = 10;
const QUERIES = quick ? 20 : 200;

function log(i) {
  return {
    project: `project-${i % 5}`,
    reference_id: `ref-${i}`,
    ...(i % 10 === 0 ? {} : { parent_reference_id: `ref-${i - (i % 10)}` }),
    config: { type: i % 10 === 0 ? 'agent' : 'model', model: 'gpt-4o-mini', provider: 'openai' },
    messages: [{ role: 'user', content: `question ${i} ${'lorem ipsum '.repeat(40)}` }],
    output: `answer ${i} ${'dolor sit '.repeat(20)}`,
    prompt_tokens: 120,
    output_tokens: 40,
    created_at: new Date(1_765_000_000_000 + i * 1000).toISOString(),
    ...(i % 50 === 0 ? { error: 'rate limited' } : {}),
  };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))].toFixed(2);
}

async function timed(count, fn) {
  const times = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await fn(i);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

async function bench(name, db) {
  const rssBefore = process.memoryUsage().rss;
  const store = await openStore({ db });
  const started = performance.now();
  const writes = await timed(N / BATCH, (b) => store.addV4(Array.from({ length: BATCH }, (_, j) => log(b * BATCH + j)), b));
  const seconds = (performance.now() - started) / 1000;
  const first = (await store.list({ order: 'oldest', limit: 1 })).logs[0].log.id;
  const pages = await timed(QUERIES, (q) => store.list({ filter: { project: `project-${q % 5}`, kind: 'model', error: false }, limit: 50 }));
  const traces = await timed(QUERIES, () => store.trace('v4', first));
  await store.close();
  const rssAfter = process.memoryUsage().rss;
  console.log(`${name}: ${N} logs in requests of ${BATCH}: ${Math.round(N / seconds)} logs/s; write p50 ${percentile(writes, 0.5)} ms, p99 ${percentile(writes, 0.99)} ms`);
  console.log(`  filtered page of 50: p50 ${percentile(pages, 0.5)} ms, p99 ${percentile(pages, 0.99)} ms; trace of 10: p50 ${percentile(traces, 0.5)} ms, p99 ${percentile(traces, 0.99)} ms`);
  console.log(`  RSS ${(rssBefore / 1e6).toFixed(0)} MB before, ${(rssAfter / 1e6).toFixed(0)} MB after`);
}

const dir = mkdtempSync(join(tmpdir(), 'hl-bench-store-'));
try {
  await bench(`sqlite (${sqliteLibrary()})`, join(dir, 'bench.db'));
  if (postgres && postgres.startsWith('postgres')) await bench('postgres', postgres);
  else console.log('postgres: not measured (pass --db postgres://… of an empty database)');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
