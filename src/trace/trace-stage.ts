import { TraceFlags, type SpanContext } from '@opentelemetry/api';
import type { UnlinkedLog } from '../log/unlinked-log.js';
import type { TraceDecision } from '../log/steps.js';
import { localParentSpanId } from '../mapping/span-ids.js';
import type { ReadableSpan } from '../common/otel.js';
import { foldNestedCalls } from './fold-calls.js';
import { TraceLinker, type LinkDecision, type StartState } from './linker.js';
import { RunningSpans } from './running-spans.js';

export interface TraceStageOptions {
  parentWaitMillis: number;
  maxWaitingLogs: number;
  maxTrackedSpans: number;
  /** Whether a span becomes a log, as far as its attributes tell now (the classifier, or your spanFilter). */
  exportsSpan(span: ReadableSpan): boolean;
  /** Open a parent as soon as a child that will be logged starts, rather than once a child has waited for it. */
  openParentsEarly: boolean;
}

/**
 * One export's logs as the trace stage works through them: its spans that are parents of others
 * in it (they are linked open), and what is left to do once every span of it has arrived.
 */
export class TraceBatch {
  /** Logs of the export handed on so far. */
  readonly added: string[] = [];
  /** LLM calls with children in the export, linked last (they may fold a nested record of the same call). */
  readonly deferred: UnlinkedLog[] = [];

  constructor(readonly parents: ReadonlySet<string>) {}
}

function isSampled(traceFlags: number): boolean {
  return (traceFlags & TraceFlags.SAMPLED) !== 0;
}

/**
 * The trace structure of what is sent: which log waits for which, and nested records of one LLM
 * call folded into one log. It hears of spans starting and ending and of logs delivered, dropped
 * or kept, and answers with decisions: a log released under its parent, a running span to open,
 * a log merged, a log that waits. It calls no one.
 */
export class TraceStage {
  private readonly _linker: TraceLinker<UnlinkedLog>;
  private readonly _running: RunningSpans;
  /** Spans of the current exports known to have children among them (they are linked open). */
  private readonly _parents = new Map<string, number>();
  /** Running spans asked to be opened early, before anything waits for them. */
  private readonly _early = new Set<string>();

  constructor(private readonly _options: TraceStageOptions) {
    this._running = new RunningSpans(_options.maxTrackedSpans);
    this._linker = new TraceLinker<UnlinkedLog>({
      parentWaitMillis: _options.parentWaitMillis,
      maxWaitingLogs: _options.maxWaitingLogs,
      maxRememberedSpans: _options.maxTrackedSpans,
      exportedNow: (spanId) => {
        const span = this._running.get(spanId);
        return span !== undefined && _options.exportsSpan(span);
      },
    });
  }

  /**
   * A span started (reported by a span processor). One not sampled is never exported; nor is a
   * parent not sampled, which the processor may never have heard of (a sampler that records
   * nothing of it). With `openParentsEarly`, a span that will be logged opens its nearest running
   * ancestor that will be logged, past spans that will not.
   */
  started(span: ReadableSpan, parent: SpanContext | undefined): TraceDecision[] {
    const { spanId, traceFlags } = span.spanContext();
    const decisions: TraceDecision[] = [];
    if (parent && !parent.isRemote && !isSampled(parent.traceFlags)) {
      decisions.push(...this._decide(this._linker.observeStart(parent.spanId, undefined, 'not-exported')));
    }
    let state: StartState = 'not-exported';
    if (isSampled(traceFlags)) {
      this._running.started(spanId, span);
      state = this._options.exportsSpan(span) ? 'exported' : 'unknown';
    }
    const parentId = localParentSpanId(span);
    decisions.push(...this._decide(this._linker.observeStart(spanId, parentId, state)));
    if (state === 'exported' && parentId !== undefined && this._options.openParentsEarly) {
      const ancestor = this._linker.runningAncestor(parentId);
      if (ancestor !== undefined) decisions.push(...this._openEarly(ancestor));
    }
    return decisions;
  }

  /** A span ended that becomes no log (not an LLM span, filtered, dropped by a queue...). */
  endedWithoutLog(spanId: string, parent: string | undefined): TraceDecision[] {
    this._running.ended(spanId);
    return this._decide(this._linker.observeNotExported(spanId, parent));
  }

  /** A span whose log was created open ended: its log is already in the trace. */
  ended(spanId: string): void {
    this._running.ended(spanId);
  }

  beginExport(parents: ReadonlySet<string>): TraceBatch {
    for (const parent of parents) this._parents.set(parent, (this._parents.get(parent) ?? 0) + 1);
    return new TraceBatch(parents);
  }

  /** A span's log arrived within an export. */
  arrive(log: UnlinkedLog, batch: TraceBatch): TraceDecision[] {
    this._running.ended(log.spanId);
    batch.added.push(log.spanId);
    if (!log.call) return this._decide(this._linker.add(log));
    // An LLM call with children in this export may fold a nested record of itself: it goes last.
    if (batch.parents.has(log.spanId)) {
      batch.deferred.push(log);
      return [];
    }
    // A waiting child from an earlier export may be a nested record of this call.
    if (this._linker.hasWaitersOn(log.spanId)) return this._foldAndLink([log]);
    return this._decide(this._linker.add(log));
  }

  /** Every span of the export arrived: the deferred calls are folded and linked; what waits for a span not ended is said to wait. */
  finish(batch: TraceBatch): TraceDecision[] {
    // Deferred in ancestor order; folded children first, so a call nested three deep folds whole.
    const decisions = this._foldAndLink(batch.deferred.slice().reverse());
    for (const key of batch.added) {
      if (this._linker.waitMayLast(key)) decisions.push({ kind: 'waiting', key });
    }
    for (const parent of batch.parents) {
      const left = (this._parents.get(parent) ?? 1) - 1;
      if (left > 0) this._parents.set(parent, left);
      else this._parents.delete(parent);
    }
    return decisions;
  }

  /** A log to link that arrived outside an export: the whole log of an open log whose create failed, or one read back from a spool. */
  add(log: UnlinkedLog): TraceDecision[] {
    return this._decide(this._linker.add(log));
  }

  /**
   * What is known of a running span, asked for by an `open` decision (undefined: it cannot be
   * logged, and what waits for it goes as roots). Opened early, an LLM call is not logged yet: a
   * nested record of the same call folds into it once both have ended.
   */
  opened(spanId: string, log: UnlinkedLog | undefined): TraceDecision[] {
    const early = this._early.delete(spanId);
    if (!log) return this._decide(this._linker.cannotOpen(spanId));
    if (early && log.call) {
      this._linker.openLate(spanId);
      return [];
    }
    return [{ kind: 'opened', log }, ...this._decide(this._linker.add(log))];
  }

  /** A log an earlier process delivered, read back from a spool: the logs restored with it link to it. */
  knownDelivered(spanId: string, logId: string | undefined, session: string): void {
    this._linker.knownDelivered(spanId, logId, session);
  }

  delivered(spanId: string, logId: string | undefined): TraceDecision[] {
    return this._decide(this._linker.settle(spanId, true, logId));
  }

  /** The log will never be delivered: its children link past it. */
  dropped(spanId: string): TraceDecision[] {
    return this._decide(this._linker.settle(spanId, false));
  }

  /** The log is kept through an outage: what waits for it waits with it. */
  kept(spanId: string): TraceDecision[] {
    return this._decide(this._linker.markKept(spanId));
  }

  /** Stops waiting for running parents, for logs that waited `parentWaitMillis`: each is opened if it can be, else they go as roots. */
  expire(now: number): TraceDecision[] {
    return this._decide(this._linker.releaseExpired(now));
  }

  /**
   * Stops every wait for a running parent (flush, shutdown): running parents are asked to be
   * opened, a level of ancestors per call; call again while it asks for any.
   */
  releaseAll(): TraceDecision[] {
    return this._decide(this._linker.releaseAll());
  }

  /** The span a waiting log waits for, if it waits. */
  waitsFor(spanId: string): string | undefined {
    return this._linker.waitsFor(spanId);
  }

  nextExpiry(): number | undefined {
    return this._linker.nextExpiry();
  }

  get waitingCount(): number {
    return this._linker.waitingCount;
  }

  get trackedCount(): number {
    return this._linker.trackedCount;
  }

  get runningCount(): number {
    return this._running.count;
  }

  /** The linker's decisions as the trace stage's: releases with whether logs will go under them, running parents to open. */
  private _decide(decisions: Array<LinkDecision<UnlinkedLog>>): TraceDecision[] {
    const out: TraceDecision[] = [];
    for (const decision of decisions) {
      if (decision.kind === 'release') {
        const { entry: log, link } = decision;
        out.push({ kind: 'release', log, link, hasChildren: this._parents.has(log.spanId) || this._linker.hasWaitersOn(log.spanId) });
      } else if (decision.kind === 'waiting') out.push({ kind: 'waiting', key: decision.spanId });
      else out.push(...this._open(decision.spanId));
    }
    return out;
  }

  /** Asks for what is known of a running span to be logged; if it is gone, what waits for it goes as roots. */
  private _open(spanId: string): TraceDecision[] {
    const span = this._running.get(spanId);
    if (!span) return this._decide(this._linker.cannotOpen(spanId));
    return [{ kind: 'open', spanId, span }];
  }

  /**
   * A child that will be logged started under a running ancestor: the ancestor is logged now, so
   * that the child need not wait for it. Not an LLM call: a nested record of the same call folds
   * into it once both have ended.
   */
  private _openEarly(spanId: string): TraceDecision[] {
    const span = this._running.get(spanId);
    if (!span || !this._linker.claimOpen(spanId)) return [];
    this._early.add(spanId);
    return [{ kind: 'open', spanId, span }];
  }

  /**
   * LLM calls, children first: each takes in a nested record of itself, from `calls` or waiting
   * in the linker (from this export or an earlier one); the rest are linked, ancestors first.
   */
  private _foldAndLink(calls: UnlinkedLog[]): TraceDecision[] {
    const { logs, folded, decisions } = foldNestedCalls(calls, this._linker);
    const out = this._decide(decisions);
    for (const { key, into } of folded) out.push({ kind: 'merged', key, into });
    for (let i = logs.length - 1; i >= 0; i--) out.push(...this._decide(this._linker.add(logs[i])));
    return out;
  }
}
