import type { Attributes, Span } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportOrder } from '../../src/intake/export-order.js';
import { Intake } from '../../src/intake/intake.js';
import { decodeLog } from '../../src/log/log-json.js';
import type { TraceDecision } from '../../src/log/steps.js';
import type { Link, UnlinkedLog } from '../../src/log/unlinked-log.js';
import { isExportedSpan } from '../../src/mapping/classify.js';
import { TraceStage, type TraceStageOptions } from '../../src/trace/trace-stage.js';
import { CHAT_ATTRIBUTES, MAPPER_OPTIONS, recordSpans, startSpan } from '../helpers/spans.js';

/**
 * The trace stage alone, with real spans from a real tracer provider mapped by the real intake:
 * the test plays the pipeline, telling the stage of starts, arrivals and fates, and answering
 * its `open` decisions with what intake logs of a running span. Only its decisions and public
 * counts are checked.
 */

const WORKFLOW: Attributes = { 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.workflow.name': 'support' };
const AGENT: Attributes = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'helper' };
const PARENT_WAIT = 1_000;
const T0 = 1_000_000;
const intake = new Intake(MAPPER_OPTIONS, undefined);
/** Intake as it answers `open` decisions: your redact refuses what is known of a running span whose name says so. */
const openingIntake = new Intake({ ...MAPPER_OPTIONS, redact: (log, span) => (span.name.includes('no placeholder') ? null : log) }, undefined);

function stage(options: Partial<TraceStageOptions> = {}): TraceStage {
  return new TraceStage({
    parentWaitMillis: PARENT_WAIT,
    maxWaitingLogs: 100,
    maxTrackedSpans: 1_000,
    exportsSpan: (span) => isExportedSpan(span, undefined),
    openParentsEarly: true,
    ...options,
  });
}

/** Spans of one trace from a real tracer provider, kept alive while the test runs (the stage holds running spans weakly). */
function spans() {
  const rec = recordSpans();
  const live: Span[] = [];
  return {
    start(name: string, attributes: Attributes, parent?: Span): Span {
      const span = startSpan(rec.tracer, name, attributes, parent);
      live.push(span);
      return span;
    },
    /** The span as it ended. */
    ended(span: Span): ReadableSpan {
      const found = rec.spans().find((candidate) => candidate.spanContext().spanId === span.spanContext().spanId);
      if (!found) throw new Error('the span has not ended');
      return found;
    },
  };
}

const idOf = (span: Span) => span.spanContext().spanId;
const asReadable = (span: Span) => span as unknown as ReadableSpan;

/** The decisions, each as its kind and the span it is about. */
function summary(decisions: TraceDecision[]): string[] {
  return decisions.map((decision) => {
    switch (decision.kind) {
      case 'release':
      case 'opened':
        return `${decision.kind} ${decision.log.spanId}`;
      case 'open':
        return `open ${decision.spanId}`;
      case 'merged':
      case 'waiting':
        return `${decision.kind} ${decision.key}`;
    }
  });
}

function releaseOf(decisions: TraceDecision[], spanId: string): { link: Link; hasChildren: boolean; log: UnlinkedLog } {
  const found = decisions.find((decision) => decision.kind === 'release' && decision.log.spanId === spanId);
  if (found?.kind !== 'release') throw new Error(`${spanId} was not released: ${summary(decisions).join(', ')}`);
  return found;
}

/**
 * The test as the pipeline: a span's start reported (with its parent's context), an export of
 * ended spans worked through, `open` decisions answered with what intake makes of the running span.
 */
function pipeline(trace: TraceStage) {
  const answer = (decisions: TraceDecision[], now: number): TraceDecision[] => {
    const out: TraceDecision[] = [];
    for (const decision of decisions) {
      out.push(decision);
      if (decision.kind === 'open') out.push(...answer(trace.opened(decision.spanId, openingIntake.open(decision.span, now)), now));
    }
    return out;
  };
  return {
    answer,
    start: (span: Span, parent: Span | undefined, now = T0) => answer(trace.started(asReadable(span), parent?.spanContext()), now),
    /** One export of ended spans, parents first as the pipeline orders them. */
    exportSpans(ended: ReadableSpan[], now = T0): TraceDecision[] {
      const order = exportOrder(ended);
      const batch = trace.beginExport(order.parents);
      const out: TraceDecision[] = [];
      for (const span of order.spans) {
        const arrival = intake.take(span, now);
        if (arrival.kind === 'log') out.push(...answer(trace.arrive(arrival.log, batch), now));
        else if (arrival.kind === 'skip') out.push(...answer(trace.endedWithoutLog(arrival.spanId, arrival.parentSpanId), now));
      }
      return [...out, ...answer(trace.finish(batch), now)];
    },
    expire: (now: number) => answer(trace.expire(now), now),
    releaseAll: (now = T0) => answer(trace.releaseAll(), now),
  };
}

/** A parent and its child, ended child first and exported together at T0, on a new stage. */
function exportedPair(parentAttributes: Attributes = AGENT, childAttributes: Attributes = CHAT_ATTRIBUTES) {
  const trace = stage();
  const p = pipeline(trace);
  const s = spans();
  const parent = s.start('parent', parentAttributes);
  const child = s.start('child', childAttributes, parent);
  child.end();
  parent.end();
  return { trace, p, parent, child, decisions: p.exportSpans([s.ended(child), s.ended(parent)], T0) };
}

/** A running agent (its start reported) and its chat, ended and exported at T0, on a stage that opens parents only once waited for. */
function childOfRunning() {
  const trace = stage({ openParentsEarly: false });
  const p = pipeline(trace);
  const s = spans();
  const agent = s.start('agent', AGENT);
  p.start(agent, undefined);
  const chat = s.start('chat', CHAT_ATTRIBUTES, agent);
  const started = p.start(chat, agent);
  chat.end();
  return { trace, p, s, agent, chat, started, exported: p.exportSpans([s.ended(chat)], T0) };
}

describe('TraceStage: a child and its parent', () => {
  it('holds a child until its parent is delivered, then releases it under the parent and its log id', () => {
    const { trace, parent: agent, child: chat, decisions } = exportedPair();
    expect(summary(decisions)).toEqual([`release ${idOf(agent)}`]);
    expect(releaseOf(decisions, idOf(agent))).toMatchObject({ hasChildren: true, link: { parent: undefined, session: agent.spanContext().traceId } });
    expect(trace.waitsFor(idOf(chat))).toBe(idOf(agent));
    expect(trace.waitingCount).toBe(1);
    const released = trace.delivered(idOf(agent), 'log-agent');
    expect(summary(released)).toEqual([`release ${idOf(chat)}`]);
    expect(releaseOf(released, idOf(chat))).toMatchObject({
      hasChildren: false,
      link: { parent: { spanId: idOf(agent), logId: 'log-agent' }, session: agent.spanContext().traceId },
    });
    expect(trace.waitingCount).toBe(0);
  });

  it('says a child whose parent has not ended waits (its export need not wait), and releases it once the parent is delivered', () => {
    const { trace, p, s, agent, chat, exported } = childOfRunning();
    expect(summary(exported)).toEqual([`waiting ${idOf(chat)}`]);
    agent.end();
    expect(summary(p.exportSpans([s.ended(agent)]))).toEqual([`release ${idOf(agent)}`]);
    expect(releaseOf(trace.delivered(idOf(agent), 'log-agent'), idOf(chat)).link.parent).toEqual({ spanId: idOf(agent), logId: 'log-agent' });
  });

  it('links the children of a dropped parent past it, to the nearest delivered ancestor', () => {
    const trace = stage();
    const p = pipeline(trace);
    const s = spans();
    const workflow = s.start('workflow', WORKFLOW);
    const agent = s.start('agent', AGENT, workflow);
    const chat = s.start('chat', CHAT_ATTRIBUTES, agent);
    for (const span of [chat, agent, workflow]) span.end();
    p.exportSpans([s.ended(chat), s.ended(agent), s.ended(workflow)]);
    const afterWorkflow = trace.delivered(idOf(workflow), 'log-workflow');
    expect(summary(afterWorkflow)).toEqual([`release ${idOf(agent)}`]);
    const afterAgent = trace.dropped(idOf(agent));
    expect(releaseOf(afterAgent, idOf(chat)).link.parent).toEqual({ spanId: idOf(workflow), logId: 'log-workflow' });
  });

  it('links children past a span that ends without a log', () => {
    const trace = stage();
    const p = pipeline(trace);
    const s = spans();
    const workflow = s.start('workflow', WORKFLOW);
    const http = s.start('http', { 'http.request.method': 'GET' }, workflow);
    const chat = s.start('chat', CHAT_ATTRIBUTES, http);
    for (const span of [chat, http, workflow]) span.end();
    const decisions = p.exportSpans([s.ended(chat), s.ended(http), s.ended(workflow)]);
    expect(summary(decisions)).toEqual([`release ${idOf(workflow)}`]);
    expect(releaseOf(trace.delivered(idOf(workflow), 'log-workflow'), idOf(chat)).link.parent?.spanId).toBe(idOf(workflow));
  });
});

describe('TraceStage: opening a running parent', () => {
  it('opens a parent early when its first exported child starts, past plain spans in between, once', () => {
    const trace = stage();
    const p = pipeline(trace);
    const s = spans();
    const workflow = s.start('workflow', WORKFLOW);
    expect(p.start(workflow, undefined)).toEqual([]);
    const plain = s.start('plain', {}, workflow);
    expect(p.start(plain, workflow)).toEqual([]);
    const chat = s.start('chat', CHAT_ATTRIBUTES, plain);
    const opened = p.start(chat, plain);
    expect(summary(opened)).toEqual([`open ${idOf(workflow)}`, `opened ${idOf(workflow)}`, `release ${idOf(workflow)}`]);
    const placeholder = releaseOf(opened, idOf(workflow)).log;
    expect(decodeLog(placeholder.body).metadata).toMatchObject({ placeholder: true });
    expect(trace.runningCount).toBe(3);
    // A second child opens nothing more.
    expect(p.start(s.start('chat 2', CHAT_ATTRIBUTES, plain), plain)).toEqual([]);
    chat.end();
    plain.end();
    expect(summary(p.exportSpans([s.ended(chat), s.ended(plain)]))).toEqual([]);
    expect(trace.waitsFor(idOf(chat))).toBe(idOf(workflow));
    expect(releaseOf(trace.delivered(idOf(workflow), 'log-workflow'), idOf(chat)).link.parent).toEqual({ spanId: idOf(workflow), logId: 'log-workflow' });
  });

  it('does not open an LLM call early: a nested record of the same call folds into it once both have ended', () => {
    const trace = stage();
    const p = pipeline(trace);
    const s = spans();
    const outer = s.start('outer chat', CHAT_ATTRIBUTES);
    p.start(outer, undefined);
    const inner = s.start('inner chat', CHAT_ATTRIBUTES, outer);
    // The open is asked for, and answered: it is not logged.
    expect(summary(p.start(inner, outer))).toEqual([`open ${idOf(outer)}`]);
    inner.end();
    expect(summary(p.exportSpans([s.ended(inner)]))).toEqual([`waiting ${idOf(inner)}`]);
    outer.end();
    const decisions = p.exportSpans([s.ended(outer)]);
    expect(summary(decisions)).toEqual([`merged ${idOf(inner)}`, `release ${idOf(outer)}`]);
    expect(decodeLog(releaseOf(decisions, idOf(outer)).log.body).metadata?.merged_span_ids).toEqual([idOf(inner)]);
    expect(trace.waitingCount).toBe(0);
  });

  it('opens a parent that a child waited parentWaitMillis for, and releases the child under it', () => {
    const { trace, p, agent, chat, started } = childOfRunning();
    expect(started).toEqual([]);
    expect(trace.nextExpiry()).toBe(T0 + PARENT_WAIT);
    expect(p.expire(T0 + PARENT_WAIT - 1)).toEqual([]);
    const opened = p.expire(T0 + PARENT_WAIT);
    expect(summary(opened)).toEqual([`open ${idOf(agent)}`, `opened ${idOf(agent)}`, `release ${idOf(agent)}`]);
    expect(trace.nextExpiry()).toBeUndefined();
    expect(releaseOf(trace.delivered(idOf(agent), 'log-agent'), idOf(chat)).link.parent?.logId).toBe('log-agent');
  });

  it('releases what waits as roots when the running parent cannot be logged', () => {
    const { trace, agent, chat } = childOfRunning();
    const asked = trace.expire(T0 + PARENT_WAIT);
    expect(summary(asked)).toEqual([`open ${idOf(agent)}`]);
    // Intake could make no log of it (your redact refused it, say).
    const released = trace.opened(idOf(agent), undefined);
    expect(releaseOf(released, idOf(chat)).link).toEqual({ parent: undefined, session: chat.spanContext().traceId });
  });

  it('at a flush (releaseAll), opens running parents at once, whatever the clock says', () => {
    const { trace, p, agent } = childOfRunning();
    expect(summary(p.releaseAll(T0))).toEqual([`open ${idOf(agent)}`, `opened ${idOf(agent)}`, `release ${idOf(agent)}`]);
    expect(summary(trace.releaseAll())).toEqual([]);
  });
});

describe('TraceStage: nested records of one LLM call', () => {
  it('merges a nested duplicate LLM call into the call around it, in one export', () => {
    const { parent: outer, child: inner, decisions } = exportedPair(CHAT_ATTRIBUTES, CHAT_ATTRIBUTES);
    expect(summary(decisions)).toEqual([`merged ${idOf(inner)}`, `release ${idOf(outer)}`]);
    expect(decodeLog(releaseOf(decisions, idOf(outer)).log.body).metadata?.merged_span_ids).toEqual([idOf(inner)]);
  });

  it('does not merge an LLM call of another model', () => {
    const other = { ...CHAT_ATTRIBUTES, 'gen_ai.request.model': 'claude-sonnet-4', 'gen_ai.response.model': 'claude-sonnet-4' };
    const { trace, parent: outer, child: inner, decisions } = exportedPair(CHAT_ATTRIBUTES, other);
    expect(summary(decisions)).toEqual([`release ${idOf(outer)}`]);
    expect(releaseOf(trace.delivered(idOf(outer), 'log-outer'), idOf(inner)).link.parent?.spanId).toBe(idOf(outer));
  });
});

describe('TraceStage: a parent kept through an outage', () => {
  it('says its waiting children wait (their export need not), and expire() does not release them', () => {
    const { trace, p, parent: agent, child: chat } = exportedPair();
    expect(summary(trace.kept(idOf(agent)))).toEqual([`waiting ${idOf(chat)}`]);
    expect(trace.nextExpiry()).toBeUndefined();
    expect(p.expire(T0 + 100 * PARENT_WAIT)).toEqual([]);
    expect(p.releaseAll(T0 + 100 * PARENT_WAIT)).toEqual([]);
    expect(trace.waitsFor(idOf(chat))).toBe(idOf(agent));
    // Delivered at last: the child goes under it.
    expect(releaseOf(trace.delivered(idOf(agent), 'log-agent'), idOf(chat)).link.parent?.logId).toBe('log-agent');
  });

  it('releases its children past it if it is dropped from custody after all', () => {
    const { trace, parent: agent, child: chat } = exportedPair();
    trace.kept(idOf(agent));
    expect(releaseOf(trace.dropped(idOf(agent)), idOf(chat)).link.parent).toBeUndefined();
  });
});

describe('TraceStage: the next expiry', () => {
  // Defect: a log waiting for a parent whose log was on its way was filed again, when that log
  // was dropped, as waiting for a running ancestor, with its wait counted from its creation long
  // before: nextExpiry() named a time already past, and the exporter's alarm was set for it.
  it('is never at or before the last expire() once a dropped parent sends its child to wait for a running ancestor', () => {
    const trace = stage({ openParentsEarly: false });
    const p = pipeline(trace);
    const s = spans();
    const agent = s.start('agent', AGENT);
    p.start(agent, undefined);
    const workflow = s.start('workflow', WORKFLOW, agent);
    p.start(workflow, agent);
    const chat = s.start('chat', CHAT_ATTRIBUTES, workflow);
    p.start(chat, workflow);
    chat.end();
    workflow.end();
    p.exportSpans([s.ended(chat), s.ended(workflow)], T0);
    // The workflow waited for its running agent, which cannot be logged: it goes as a root.
    expect(summary(trace.expire(T0 + PARENT_WAIT))).toEqual([`open ${idOf(agent)}`]);
    expect(summary(trace.opened(idOf(agent), undefined))).toEqual([`release ${idOf(workflow)}`]);
    expect(p.expire(T0 + 5 * PARENT_WAIT)).toEqual([]);
    // The workflow's log is refused: the chat now waits for the agent, still running.
    trace.dropped(idOf(workflow));
    expect(trace.waitsFor(idOf(chat))).toBe(idOf(agent));
    expect(trace.nextExpiry()).toBeGreaterThan(T0 + 5 * PARENT_WAIT);
  });

  // Fails on the code as it is with the defect above: fast-check shrinks to the same story (a
  // log whose parent's log was dropped sent to wait for a running ancestor with its old wait).
  it('is never at or before the now of the last expire() while something waits, over random starts, exports and fates', () => {
    fc.assert(fc.property(scenario, (steps) => checkExpiries(steps)), { numRuns: 500 });
  });
});

/** The spans of a random trace: each with a parent among those before it (or none), and a kind. */
const KINDS: Record<'chat' | 'agent' | 'workflow' | 'plain', Attributes> = { chat: CHAT_ATTRIBUTES, agent: AGENT, workflow: WORKFLOW, plain: {} };
type Kind = keyof typeof KINDS;

/** `span` picks a span of the tree (start, export) or one of the logs on their way (fates), modulo how many there are. */
type Step = { op: 'start' | 'deliver' | 'drop' | 'keep'; span: number } | { op: 'export'; spans: number[] } | { op: 'expire' | 'releaseAll' };

const SPANS = 6;
const spanIndex = fc.nat({ max: 2 * SPANS });
const scenario = fc.record({
  tree: fc.array(
    fc.record({
      parent: fc.option(fc.nat(), { nil: undefined, freq: 4 }),
      kind: fc.constantFrom<Kind>('chat', 'agent', 'workflow', 'plain'),
      /** Whether what is known of it while it runs can be logged (your redact may refuse it). */
      placeholder: fc.boolean(),
    }),
    { minLength: SPANS, maxLength: SPANS },
  ),
  openParentsEarly: fc.boolean(),
  steps: fc.array(
    fc.tuple(
      fc.oneof(
        spanIndex.map((span): Step => ({ op: 'start', span })),
        fc.uniqueArray(spanIndex, { minLength: 1, maxLength: 3 }).map((spans): Step => ({ op: 'export', spans })),
        fc.tuple(fc.constantFrom<'deliver' | 'drop' | 'keep'>('deliver', 'drop', 'keep'), spanIndex).map(([op, span]): Step => ({ op, span })),
        fc.constant<Step>({ op: 'expire' }),
        fc.constant<Step>({ op: 'releaseAll' }),
      ),
      // Time passing before the step.
      fc.constantFrom(0, 1, PARENT_WAIT - 1, PARENT_WAIT, 3 * PARENT_WAIT),
    ),
    { minLength: 5, maxLength: 40 },
  ),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/**
 * The steps played as the pipeline would: spans started parents first and reported, ended spans
 * exported, fates of released logs reported, open decisions answered; on a monotonic clock.
 */
class TracePlay {
  readonly trace: TraceStage;
  now = T0;
  /** The `now` of the last expire(). */
  lastExpire = -Infinity;
  private readonly _pipeline: ReturnType<typeof pipeline>;
  private readonly _spans = spans();
  private readonly _live: Array<Span | undefined>;
  private readonly _ended = new Set<number>();
  /** Logs released and not yet delivered or dropped (kept ones too), by span id, and the span. */
  private readonly _onTheirWay = new Map<string, number>();
  /** Spans whose log was opened while they ran: their end completes it. */
  private readonly _opened = new Set<string>();

  constructor(private readonly _tree: Scenario['tree'], openParentsEarly: boolean) {
    this.trace = stage({ openParentsEarly });
    this._pipeline = pipeline(this.trace);
    this._live = _tree.map(() => undefined);
  }

  play(step: Step): void {
    switch (step.op) {
      case 'start':
        return void this._start(step.span % SPANS);
      case 'export':
        return this._export(step.spans.map((span) => span % SPANS));
      case 'deliver':
      case 'drop':
      case 'keep':
        return this._fate(step.op, step.span);
      case 'expire':
        this.lastExpire = this.now;
        return this._note(this._pipeline.expire(this.now));
      case 'releaseAll':
        return this._note(this._pipeline.releaseAll(this.now));
    }
  }

  /** Starts the span, and first its ancestors not started yet. */
  private _start(index: number): Span {
    const started = this._live[index];
    if (started) return started;
    const { parent, kind, placeholder } = this._tree[index];
    const parentSpan = parent === undefined || index === 0 ? undefined : this._start(parent % index);
    const span = this._spans.start(`span ${index}${placeholder ? '' : ' (no placeholder)'}`, KINDS[kind], parentSpan);
    this._live[index] = span;
    this._note(this._pipeline.start(span, parentSpan, this.now));
    return span;
  }

  /** Ends the spans (started if need be) and exports them together. */
  private _export(indexes: number[]): void {
    const toEnd = indexes.filter((index) => !this._ended.has(index)).map((index) => ({ index, span: this._start(index) }));
    for (const { index, span } of toEnd) {
      span.end();
      this._ended.add(index);
      // An opened span's end completes its log, which is in the trace already.
      if (this._opened.has(idOf(span))) this.trace.ended(idOf(span));
    }
    const arriving = toEnd.filter(({ span }) => !this._opened.has(idOf(span)));
    if (arriving.length > 0) this._note(this._pipeline.exportSpans(arriving.map(({ span }) => this._spans.ended(span)), this.now));
  }

  private _fate(op: 'deliver' | 'drop' | 'keep', pick: number): void {
    if (this._onTheirWay.size === 0) return;
    const [id, index] = [...this._onTheirWay][pick % this._onTheirWay.size];
    if (op === 'keep') return this._note(this.trace.kept(id));
    this._onTheirWay.delete(id);
    this._note(op === 'deliver' ? this.trace.delivered(id, `log-${id}`) : this.trace.dropped(id));
    // An opened log dropped is not its span's log: once the span has ended, its whole log goes.
    if (op === 'drop' && this._opened.delete(id) && this._ended.has(index)) {
      const arrival = intake.take(this._spans.ended(this._live[index]!), this.now);
      if (arrival.kind === 'log') this._note(this._pipeline.answer(this.trace.add(arrival.log), this.now));
    }
  }

  private _note(decisions: TraceDecision[]): void {
    for (const decision of decisions) {
      if (decision.kind === 'release') this._onTheirWay.set(decision.log.spanId, this._indexOf(decision.log.spanId));
      if (decision.kind === 'opened') this._opened.add(decision.log.spanId);
    }
  }

  private _indexOf(spanId: string): number {
    return this._live.findIndex((span) => span !== undefined && idOf(span) === spanId);
  }
}

/** After each step: whenever something waits, nextExpiry() is after the last expire()'s now. */
function checkExpiries({ tree, openParentsEarly, steps }: Scenario): void {
  const play = new TracePlay(tree, openParentsEarly);
  for (const [step, elapsed] of steps) {
    play.now += elapsed;
    play.play(step);
    const next = play.trace.nextExpiry();
    if (play.trace.waitingCount > 0 && next !== undefined) {
      expect(next, `nextExpiry() after ${step.op} at ${play.now}, the last expire() at ${play.lastExpire}`).toBeGreaterThan(play.lastExpire);
    }
  }
}
