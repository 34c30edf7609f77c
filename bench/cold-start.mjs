// Cold start: what importing the exporter and constructing its processor costs a process that has
// just started, as a serverless function pays it on every cold start: the time until it is ready,
// the CPU time it used to get there (on a busy machine that varies less), its RSS and JS heap. Each
// run starts fresh node processes for every variant in turn (bench/cold-start-setup.cjs): bare
// node, the tracer provider alone, the provider with HumanloopSpanProcessor, and the provider with
// the OTLP HTTP exporter in a BatchSpanProcessor; each loads its modules, builds and registers the
// provider, and reports. A run's figures are each variant's minus bare node's in the same run
// (paired, so drift on the machine cancels out); the medians are over the runs. Once with ESM
// `import`, once with CommonJS `require`.
//   node bench/cold-start.mjs [--quick | --runs N]   prints the table; import { benchColdStart } for the full benchmark
import { execFileSync } from 'node:child_process';
import { fmt, spread, stats } from './figures.mjs';

const VARIANTS = ['provider', 'humanloop', 'otlp'];
const FORMATS = { esm: 'cold-start-child.mjs', cjs: 'cold-start-child.cjs' };
const FIGURES = ['ms', 'cpuMs', 'rssMib', 'heapMib'];
const MIB = 2 ** 20;

function child(format, variant) {
  const script = new URL(`./${FORMATS[format]}`, import.meta.url).pathname;
  return JSON.parse(execFileSync(process.execPath, [script, variant], { encoding: 'utf8' }).trim());
}

/** One run of one module format: every variant and bare node, in an order that turns with the run. */
function oneRun(format, run) {
  const order = ['bare', ...VARIANTS];
  const measured = {};
  for (let i = 0; i < order.length; i++) {
    const variant = order[(run + i) % order.length];
    measured[variant] = child(format, variant);
  }
  const beyond = {};
  for (const variant of VARIANTS) {
    beyond[variant] = {
      ms: measured[variant].ms - measured.bare.ms,
      cpuMs: measured[variant].cpuMs - measured.bare.cpuMs,
      rssMib: (measured[variant].rss - measured.bare.rss) / MIB,
      heapMib: (measured[variant].heapUsed - measured.bare.heapUsed) / MIB,
    };
  }
  return beyond;
}

export function benchColdStart({ runs = 11 } = {}) {
  const result = { runs };
  for (const format of Object.keys(FORMATS)) {
    const all = Array.from({ length: runs }, (_, run) => oneRun(format, run));
    const row = {};
    for (const variant of VARIANTS) {
      row[variant] = Object.fromEntries(FIGURES.map((key) => [key, stats(all.map((r) => r[variant][key]))]));
    }
    row.ratio = Object.fromEntries(FIGURES.map((key) => [key, row.humanloop[key].median / row.otlp[key].median]));
    result[format] = row;
  }
  return result;
}

const LABELS = { provider: 'the tracer provider alone', humanloop: 'provider + HumanloopSpanProcessor', otlp: 'provider + OTLP HTTP exporter + BatchSpanProcessor' };

export function printColdStart(report) {
  console.log(`7. Cold start: import and construct, a provider registered, beyond bare node (fresh processes; medians of ${report.runs} paired runs)`);
  for (const format of Object.keys(FORMATS)) {
    const row = report[format];
    console.log(`   ${format === 'esm' ? 'ESM import' : 'CommonJS require'}`);
    for (const variant of VARIANTS) {
      const k = row[variant];
      console.log(`     ${LABELS[variant].padEnd(52)} ${spread(k.ms, 0, ' ms')}, CPU ${spread(k.cpuMs, 0, ' ms')}, RSS ${spread(k.rssMib, 1, ' MiB')}, heap ${spread(k.heapMib, 1, ' MiB')}`);
    }
    const r = row.ratio;
    console.log(`     HumanloopSpanProcessor / OTLP HTTP exporter: time ${fmt(r.ms, 2)}x, CPU ${fmt(r.cpuMs, 2)}x, RSS ${fmt(r.rssMib, 2)}x, heap ${fmt(r.heapMib, 2)}x (ratios of the medians)`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runsAt = process.argv.indexOf('--runs');
  const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : process.argv.includes('--quick') ? 5 : 11;
  printColdStart(benchColdStart({ runs }));
}
