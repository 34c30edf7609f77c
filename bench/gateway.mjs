// npm run bench:gateway [-- --quick]: spans per second through one gateway, and through three
// behind the trace-id router (which stands in for the Collector's loadbalancing exporter and, like
// it, forwards over OTLP/gRPC), from
// the OTLP proto exporter to the local log server. Every part runs in a process of its own on
// this machine, over 127.0.0.1. Prints figures; asserts nothing.
import { fork } from 'node:child_process';
import os from 'node:os';

const quick = process.argv.includes('--quick');
const PLAN = quick ? { spans: 5_000, runs: 1 } : { spans: 20_000, runs: 3 };
const ROLE = new URL('./gateway-role.mjs', import.meta.url).pathname;
const SINK = new URL('./sink.mjs', import.meta.url).pathname;
/** Polls for the gateways to have settled every span, for at most this long. */
const SETTLE_TIMEOUT_MILLIS = 300_000;

function start(script, args) {
  const child = fork(script, args.map(String), { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  // A part that dies before answering fails the bench instead of leaving it waiting.
  const next = (key) => new Promise((resolve, reject) => {
    const exited = (code) => reject(new Error(`${script} ${args.join(' ')} exited (${code}) before sending ${key}`));
    const listener = (message) => {
      if (message && key in message) {
        child.off('message', listener);
        child.off('exit', exited);
        resolve(message);
      }
    };
    child.on('message', listener);
    child.once('exit', exited);
  });
  const ask = (message, key) => {
    const answer = next(key);
    child.send(message);
    return answer;
  };
  return { child, next, ask, stop: () => child.connected && child.send('exit') };
}

const settledOf = ({ exporter }) => {
  const { delivered, merged, dropped } = exporter.spans;
  return delivered + merged + Object.values(dropped).reduce((sum, n) => sum + n, 0);
};

async function run(instances) {
  const sink = start(SINK, ['humanloop']);
  const { url: logServer } = await sink.next('url');
  const gateways = [];
  for (let i = 0; i < instances; i++) {
    const gateway = start(ROLE, ['gateway', logServer]);
    const { url, grpcPort } = await gateway.next('url');
    gateways.push({ ...gateway, url, grpc: `grpc://127.0.0.1:${grpcPort}` });
  }
  // The router forwards over OTLP/gRPC, as the Collector's loadbalancing exporter does.
  const router = instances > 1 ? start(ROLE, ['router', ...gateways.map((g) => g.grpc)]) : undefined;
  const target = router ? (await router.next('url')).url : gateways[0].url;
  const sender = start(ROLE, ['sender', target, PLAN.spans]);
  await sender.next('ready');
  const started = performance.now();
  sender.child.send('go');
  const { sent, failed, sendMillis } = await sender.next('sent');
  let stats = [];
  for (const deadline = started + SETTLE_TIMEOUT_MILLIS; performance.now() < deadline; ) {
    stats = await Promise.all(gateways.map((g) => g.ask('stats', 'stats').then((m) => m.stats)));
    if (stats.reduce((sum, s) => sum + settledOf(s), 0) >= sent - failed) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  const { count: logs } = await sink.ask('count', 'count');
  const throttled = stats.reduce((sum, s) => sum + s.requests.throttled, 0);
  for (const part of [sender, router, ...gateways, sink]) part?.stop();
  return { instances, spans: sent, failed, logs, seconds, spansPerSecond: sent / seconds, sendSeconds: sendMillis / 1000, throttled };
}

const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

console.log(`Gateway throughput: ${PLAN.spans} spans (traces of 10: an agent, 5 LLM calls, 4 tools; ~2 KB of messages per call),`);
console.log(`OTLP proto exporter (batches of 512, 4 in flight) → gateway(s) → local log server (v4). ${os.cpus().length} CPUs, Node ${process.version}.`);
for (const instances of [1, 3]) {
  const results = [];
  for (let i = 0; i < PLAN.runs; i++) results.push(await run(instances));
  const rates = results.map((r) => r.spansPerSecond);
  const last = results[results.length - 1];
  const label = instances === 1 ? '1 gateway (OTLP/HTTP)' : `${instances} gateways behind the router (gRPC)`;
  console.log(
    `  ${label.padEnd(38)} ${fmt(median(rates))} spans/s (${fmt(Math.min(...rates))}–${fmt(Math.max(...rates))}, ${results.length} runs); ` +
      `last run: ${fmt(last.logs)} logs stored, ${last.failed} spans lost by the sender, ${last.throttled} requests throttled, sender done after ${fmt(last.sendSeconds, 1)} s`,
  );
}
