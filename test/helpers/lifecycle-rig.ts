import { ROOT_CONTEXT, type Span, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  HumanloopSpanExporter,
  HumanloopSpanProcessor,
  type ExporterStats,
  type HumanloopSpanExporterOptions,
} from '../../src/index.js';
import { startTestLogServer, type Fault, type TestLogServer } from 'humanloop-log-server/testing';
import { FakeClock } from './fake-clock.js';
import { API_KEY, captureDiag, type Dialect } from './harness.js';
import { recordEvaluations, type RecordedEvaluation, type Verdict } from './lifecycle-evaluations.js';
import { attributesOf, REQUEST_TIMEOUT_MILLIS, type Heal, type SpanKind, type Step, type TreeShape } from './lifecycle-steps.js';
import { DirectTrees } from './lifecycle-trees.js';
import { under } from './spans.js';
import { until } from './until.js';

/**
 * One generated run of the exporter's life, through its public API: a HumanloopSpanProcessor
 * under a real tracer provider, a HumanloopSpanExporter used without it, both on one FakeClock
 * and one local log server whose faults the steps choose; restarts make both again on the same
 * spool directories. It carries out steps and waits for what each set off; what is checked of
 * it is in lifecycle-invariants.ts.
 */

/** Small bounds, so that waits time out, kept logs are pushed out and spans forgotten within a few steps. */
export const LIMITS = {
  exportTimeoutMillis: 2_000,
  parentWaitMillis: 1_000,
  maxBufferedBytes: 4 * 1024,
  maxBufferAgeMillis: 120_000,
  maxWaitingLogs: 6,
  maxTrackedSpans: 12,
} as const;

/** How long (real time) the exporters may take to settle after a step: a few hung requests' timeouts. */
const SETTLE_MILLIS = 10_000;
/** How long (real time) a step may take, a flush or a shutdown included: they wait for requests, never for the fake clock. */
const STEP_MILLIS = 10_000;
/** Taken when this module loads, like until.ts's. */
const realSetTimeout = setTimeout;
/** The processor's batch timer (real time), when a batch is not full. */
const BATCH_DELAY_MILLIS = 10;

/** One `export()` call and the calls of its callback. */
export interface ExportRecord {
  by: string;
  generation: number;
  /** On the fake clock: when the export was made plus exportTimeoutMillis. */
  deadline: number;
  calls: number;
}

interface Running {
  span: Span;
  name: string;
  kind: SpanKind;
  n: number;
  /** What it records just before it ends. */
  verdicts: readonly Verdict[];
  parent: { spanId: string; kind: SpanKind } | undefined;
}

/** A process's exporters: made at the start and by each restart. */
interface Generation {
  number: number;
  provider: BasicTracerProvider;
  processor: HumanloopSpanProcessor;
  tracer: Tracer;
  /** The exporter used without the processor. */
  exporter: HumanloopSpanExporter;
  running: Running[];
  /** Processor spans ended, and handed by the processor to its exporter. */
  ended: number;
  handed: number;
  shutDown: boolean;
}

/** What a step did to the clock's timers (see the timer invariant). */
export interface StepTimers {
  /** Timers set due at once during the step and the follow-up. */
  atOnce: number;
  /** Of those, set while firing what was due after the exporters settled. */
  atOnceInFollowUp: number;
  /** Whether the clock moved during the follow-up (a retry's backoff). */
  movedInFollowUp: boolean;
  /** Exporters alive during the step: each may react once at once to what fell due. */
  exporters: number;
}

interface PendingFault {
  fault: Fault;
  remaining: number;
}

export class LifecycleRun {
  readonly clock = new FakeClock();
  readonly exports: ExportRecord[] = [];
  /** Final stats of every exporter shut down so far. */
  readonly finished: ExporterStats[] = [];
  /** What happened, a line per step: printed with a failure. */
  readonly journal: string[] = [];
  /** Unhandled rejections and uncaught exceptions seen while the run lasted. */
  readonly problems: unknown[] = [];
  /** Every evaluation a span recorded before it ended, processor's and direct. */
  readonly evaluations: RecordedEvaluation[] = [];
  private readonly _diag = captureDiag();
  private readonly _trees = new DirectTrees(() => this._names++);
  private _generation!: Generation;
  private _heldParents: ReadableSpan[] = [];
  private _faults: PendingFault[] = [];
  private _names = 0;
  private _stepNumber = 0;
  private readonly _onProblem = (problem: unknown) => void this.problems.push(problem);

  private constructor(
    readonly api: Dialect,
    readonly server: TestLogServer,
    private readonly _batchSize: number,
    private readonly _random: () => number,
    private readonly _spoolDirs: { processor: string; exporter: string },
  ) {
    process.on('unhandledRejection', this._onProblem);
    process.on('uncaughtException', this._onProblem);
    server.setFaultPlan(() => this._nextFault());
    this._generation = this._newGeneration(1);
  }

  static async start(api: Dialect, options: { batchSize: number; seed: number; spoolDirs: { processor: string; exporter: string } }): Promise<LifecycleRun> {
    const server = await startTestLogServer({ apiKey: API_KEY, api });
    return new LifecycleRun(api, server, options.batchSize, seeded(options.seed), options.spoolDirs);
  }

  get diag(): readonly string[] {
    return this._diag.messages;
  }

  /** The exporters of the process now running (none once it has shut down). */
  get live(): HumanloopSpanExporter[] {
    const { processor, exporter, shutDown } = this._generation;
    return shutDown ? [] : [processor.exporter, exporter];
  }

  get generation(): number {
    return this._generation.number;
  }

  /** Processor spans started in this process and not ended. */
  get runningSpans(): number {
    return this._generation.running.length;
  }

  /** Carries out a step, waits until the exporters settle, then fires what fell due meanwhile and waits again. */
  async step(step: Step): Promise<StepTimers> {
    this._stepNumber++;
    const atOnce = this.clock.timersDueAtOnce;
    const exporters = step.do === 'restart' ? 4 : 2;
    await withinRealTime(this._apply(step), `step ${this._stepNumber} (${step.do})`);
    await this.settle();
    const beforeFollowUp = this.clock.timersDueAtOnce;
    const time = this.clock.now();
    this.clock.advance(0);
    await this.settle();
    return {
      atOnce: this.clock.timersDueAtOnce - atOnce,
      atOnceInFollowUp: this.clock.timersDueAtOnce - beforeFollowUp,
      movedInFollowUp: this.clock.now() !== time,
      exporters,
    };
  }

  /**
   * Waits until no request is in flight or queued and the processor has handed over every span
   * that ended, twice in a row (bounded in real time: a timeout fails the run).
   */
  async settle(): Promise<void> {
    let calm = 0;
    await until(() => (calm = this._calm() ? calm + 1 : 0) >= 2, `the exporters to settle after: ${this.journal.at(-1) ?? 'the start'}`, {
      timeoutMillis: SETTLE_MILLIS,
    });
  }

  /** Shuts the running process down (once): its exporters' final stats join `finished`. */
  async shutDown(): Promise<void> {
    const generation = this._generation;
    if (generation.shutDown) return;
    await Promise.all([generation.processor.shutdown(), generation.exporter.shutdown()]);
    generation.shutDown = true;
    this.finished.push(generation.processor.exporter.stats(), generation.exporter.stats());
  }

  /** The end of the run: the process shuts down, and is checked once more. */
  async finish(): Promise<void> {
    this._stepNumber++;
    await withinRealTime(this.shutDown(), 'the shutdown at the end');
    await this.settle();
    this._note('shutdown at the end');
  }

  /** Whether the server stored a create and answered it after the client had given up (the answer lost). */
  lostAnAnswer(): boolean {
    return this.server.requests().some((request) => request.method === 'POST' && request.fault?.startsWith('slow-body') === true);
  }

  async close(): Promise<void> {
    // After a failure the shutdown may never resolve: the run is abandoned, its server closed.
    await withinRealTime(this.shutDown(), 'the shutdown when closing').catch(() => undefined);
    await this._generation.provider.shutdown().catch(() => undefined);
    await this._trees.shutdown();
    await this.server.close();
    this._diag.restore();
    process.off('unhandledRejection', this._onProblem);
    process.off('uncaughtException', this._onProblem);
  }

  private async _apply(step: Step): Promise<void> {
    switch (step.do) {
      case 'start':
        return this._start(step.kind, step.parent, step.evaluations ?? []);
      case 'end':
        return this._end(step.span);
      case 'export':
        return this._exportTree(step.shape, step.evaluations ?? []);
      case 'export-parents':
        return this._exportHeldParents();
      case 'fault':
        this._faults.push({ fault: step.fault, remaining: step.times });
        return this._note(`fault ${JSON.stringify(step.fault)} on the next ${step.times} requests`);
      case 'down':
        this.server.down();
        return this._note('the server goes down');
      case 'up':
        this.server.up();
        return this._note('the server comes up');
      case 'advance':
        this.clock.advance(step.millis);
        return this._note(`${step.millis} ms pass`);
      case 'flush':
        this._note(`flush the ${step.which}`);
        return step.which === 'processor' ? this._generation.processor.forceFlush() : this._generation.exporter.forceFlush();
      case 'restart':
        return this._restart(step.heal);
    }
  }

  private _start(kind: SpanKind, at: number, verdicts: readonly Verdict[]): void {
    const { running, tracer } = this._generation;
    const index = at % (running.length + 1);
    const parent = index < running.length ? running[index] : undefined;
    const n = this._names++;
    const name = `${kind}#${n}`;
    const span = tracer.startSpan(name, { attributes: attributesOf(kind, n) }, parent ? under(parent.span) : ROOT_CONTEXT);
    const parentOf = parent && { spanId: parent.span.spanContext().spanId, kind: parent.kind };
    running.push({ span, name, kind, n, verdicts, parent: parentOf });
    this._note(`start ${name} ${parent ? `under ${parent.name}` : 'as a root'}`);
  }

  private _end(at: number): void {
    const { running } = this._generation;
    if (running.length === 0) return this._note('end: no span running');
    const [{ span, name, kind, n, verdicts, parent }] = running.splice(at % running.length, 1);
    this.evaluations.push(...recordEvaluations(span, n, kind, verdicts, parent));
    span.end();
    this._generation.ended++;
    this._note(`end ${name}${verdicts.length > 0 ? `, evaluated ${verdicts.length} times` : ''}`);
  }

  private _exportTree(shape: TreeShape, verdicts: readonly Verdict[]): void {
    const { now, held, evaluations } = this._trees.build(shape, verdicts);
    this.evaluations.push(...evaluations);
    if (held) this._heldParents.push(held);
    this._exportDirect(now, `a '${shape}' tree${held ? ' (its parent held back)' : ''}`);
  }

  private _exportHeldParents(): void {
    if (this._heldParents.length === 0) return this._note('export the held parents: none');
    this._exportDirect(this._heldParents.splice(0), 'the held parents');
  }

  private _exportDirect(spans: ReadableSpan[], what: string): void {
    const record = this._record('exporter');
    this._note(`export ${what} directly: ${spans.map((span) => span.name).join(', ')}`);
    this._generation.exporter.export(spans, () => record.calls++);
  }

  private async _restart(heal: Heal): Promise<void> {
    const old = this._generation;
    const healed = heal === 'no' ? '' : ` (the server healed ${heal} the shutdown)`;
    this._note(`restart${healed}: process ${old.number} shuts down, process ${old.number + 1} starts, reads its spools and flushes`);
    if (heal === 'before') this._heal();
    await this.shutDown();
    if (heal === 'after') this._heal();
    // After a shutdown an export fails at once: it must still call back, once.
    const late = this._record('exporter after its shutdown');
    old.exporter.export([], () => late.calls++);
    this._generation = this._newGeneration(old.number + 1);
    // A flush, so that what the spool held is read back and sent before the next step.
    await Promise.all([this._generation.processor.forceFlush(), this._generation.exporter.forceFlush()]);
  }

  /** The server up, and the faults queued for it forgotten. */
  private _heal(): void {
    this.server.up();
    this._faults = [];
  }

  private _newGeneration(number: number): Generation {
    const options: HumanloopSpanExporterOptions = { api: this.api, apiKey: API_KEY, baseUrl: this.server.url, timeoutMillis: REQUEST_TIMEOUT_MILLIS, ...LIMITS };
    const internals = { clock: this.clock, random: this._random, env: {} };
    const processor = new HumanloopSpanProcessor(
      { ...options, spoolDir: this._spoolDirs.processor, batch: { maxExportBatchSize: this._batchSize, scheduledDelayMillis: BATCH_DELAY_MILLIS } },
      internals,
    );
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'lifecycle' }), spanProcessors: [processor] });
    const exporter = new HumanloopSpanExporter({ ...options, spoolDir: this._spoolDirs.exporter }, internals);
    const generation: Generation = { number, provider, processor, tracer: provider.getTracer('lifecycle'), exporter, running: [], ended: 0, handed: 0, shutDown: false };
    this._countExports(generation);
    return generation;
  }

  /** The processor's calls to its exporter's `export()`, recorded with their callbacks (the processor's own callback still runs). */
  private _countExports(generation: Generation): void {
    const { exporter } = generation.processor;
    const exportSpans = exporter.export.bind(exporter);
    exporter.export = (spans, callback) => {
      generation.handed += spans.length;
      const record = this._record('processor');
      exportSpans(spans, (result) => {
        record.calls++;
        callback(result);
      });
    };
  }

  private _record(by: string): ExportRecord {
    const record = { by, generation: this._generation?.number ?? 1, deadline: this.clock.now() + LIMITS.exportTimeoutMillis, calls: 0 };
    this.exports.push(record);
    return record;
  }

  private _calm(): boolean {
    const { handed, ended } = this._generation;
    return handed === ended && this.live.every((exporter) => {
      const stats = exporter.stats();
      return stats.requestsInFlight === 0 && stats.queuedLogs === 0;
    });
  }

  private _nextFault(): Fault | undefined {
    const head = this._faults[0];
    if (!head) return undefined;
    if (--head.remaining <= 0) this._faults.shift();
    return head.fault;
  }

  private _note(line: string): void {
    this.journal.push(`${this._stepNumber}. ${line}`);
  }
}

/** Resolves as `work` does, or rejects when it has not within STEP_MILLIS of real time. */
async function withinRealTime<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = realSetTimeout(() => reject(new Error(`${what} did not finish within ${STEP_MILLIS} ms (real time)`)), STEP_MILLIS);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A seeded generator for the exporters' jitter, so that a failing run replays alike. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
