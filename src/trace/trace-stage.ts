import { TraceFlags, type SpanContext } from '@opentelemetry/api';
import type { CreatedLog, OutgoingLog } from '../delivery/dialect.js';
import { localParentSpanId } from '../mapping/span-ids.js';
import type { ReadableSpan } from '../shared/otel.js';
import { foldNestedCalls, type FoldableLog, type LogCodec } from './fold-calls.js';
import { TraceLinker, type Link, type LinkDecision, type LinkEntry, type StartState } from './linker.js';
import { OpenLogs, type Ready } from './open-logs.js';
import type { ExportOrder } from '../intake/export-order.js';
import { RunningSpans } from './running-spans.js';

/**
 * What the trace stage decided, for the pipeline to carry out:
 * - `send`: this log (linked into the trace) or completion may go now;
 * - `held`: the log waits in the exporter's custody (for a span not ended, or a kept parent): its export need not wait;
 * - `merged`: the log was folded into an enclosing call's log: its export need not wait either;
 * - `expect`: the export that brought the span waits for this key too (a completion that comes later).
 */
export type TraceDecision = { kind: 'send'; item: OutgoingLog } | { kind: 'held' | 'merged' | 'expect'; key: string };

export interface TraceCodec<T> extends LogCodec<T> {
  /** The log with its place in the trace written in; `open`: children will be logged under it. */
  link(entry: LinkEntry<T>, link: Link, open: boolean): OutgoingLog;
  /** The completion of a span's opened log, from its whole log. */
  completion(payload: T): Buffer;
  /** An opened log not yet delivered, with its completion written in: the whole log. */
  completed(opened: OutgoingLog, completion: Buffer): OutgoingLog;
}

export interface TraceStageOptions<T> {
  parentWaitMillis: number;
  maxWaitingLogs: number;
  maxTrackedSpans: number;
  codec: TraceCodec<T>;
  /** Whether a log created incomplete is completed only once its children are logged. */
  completesAfterChildren: boolean;
  /** Whether a span becomes a log, as far as its attributes tell now. */
  isExported(span: ReadableSpan): boolean;
  /** What is known of a running span, as a log its children can hang under (none if it cannot be made). */
  open(span: ReadableSpan, now: number): LinkEntry<T> | undefined;
  /** Open a parent as soon as a child that will be logged starts, rather than once a child has waited for it. */
  openParentsEarly: boolean;
}

/** Levels of running ancestors one release of all waits may open. */
const MAX_OPEN_LEVELS = 64;

function isSampled(traceFlags: number): boolean {
  return (traceFlags & TraceFlags.SAMPLED) !== 0;
}

/** The key under which a span's completion is sent and awaited, apart from its log's own key. */
export function completionKey(spanId: string): string {
  return `${spanId}/completion`;
}

/**
 * The trace structure of what is sent: which log waits for which, nested duplicates of one LLM
 * call folded into one log, and logs created incomplete (for spans still running, or parents an
 * API closes with their completion) and then completed. It hears of spans and of their logs'
 * fate, and answers with decisions; it calls no one.
 */
export class TraceStage<T extends FoldableLog> {
  private readonly _linker: TraceLinker<T>;
  private readonly _running: RunningSpans;
  private readonly _open: OpenLogs<T>;
  /** Spans of the current exports known to have children among them (they are linked open). */
  private readonly _parents = new Set<string>();

  constructor(private readonly _options: TraceStageOptions<T>) {
    this._running = new RunningSpans(_options.maxTrackedSpans);
    this._open = new OpenLogs(_options.maxTrackedSpans, _options.completesAfterChildren);
    this._linker = new TraceLinker<T>({
      parentWaitMillis: _options.parentWaitMillis,
      maxWaitingLogs: _options.maxWaitingLogs,
      maxRememberedSpans: _options.maxTrackedSpans,
      exportedNow: (spanId) => {
        const span = this._running.get(spanId);
        return span !== undefined && _options.isExported(span);
      },
    });
  }

  /**
   * A span started (reported by a span processor). One not sampled is never exported; nor is a
   * parent not sampled, which the processor may never have heard of (a sampler that records
   * nothing of it). With `openParentsEarly`, a span that will be logged opens its running parent.
   */
  started(span: ReadableSpan, parent: SpanContext | undefined, now: number): TraceDecision[] {
    const { spanId, traceFlags } = span.spanContext();
    const decisions: TraceDecision[] = [];
    if (parent && !parent.isRemote && !isSampled(parent.traceFlags)) {
      decisions.push(...this._decide(this._linker.observeStart(parent.spanId, undefined, 'not-exported')));
    }
    let state: StartState = 'not-exported';
    if (isSampled(traceFlags)) {
      this._running.started(spanId, span);
      state = this._options.isExported(span) ? 'exported' : 'unknown';
    }
    const parentId = localParentSpanId(span);
    decisions.push(...this._decide(this._linker.observeStart(spanId, parentId, state)));
    if (state === 'exported' && parentId !== undefined && this._options.openParentsEarly) {
      decisions.push(...this._openEarly(parentId, now));
    }
    return decisions;
  }

  /** A span ended that becomes no log (not an LLM span, filtered, dropped by a queue...). */
  endedWithoutLog(spanId: string, parent: string | undefined): TraceDecision[] {
    this._running.ended(spanId);
    this._open.forget(spanId);
    return this._decide(this._linker.observeNotExported(spanId, parent));
  }

  /** A span's log arrived within an export. */
  arrive(entry: LinkEntry<T>, order: ExportOrder<LinkEntry<T>>): TraceDecision[] {
    this._running.ended(entry.spanId);
    if (this._open.isPlaceholder(entry.spanId)) {
      if (!order.parents.has(entry.spanId)) return this._endOpened(entry);
      // Its children in this export are linked under it first: its completion may have to follow them.
      order.openedEnds.push(entry);
      return [];
    }
    order.added.push(entry.spanId);
    if (order.parents.has(entry.spanId)) this._parents.add(entry.spanId);
    if (!entry.payload.call) return this._decide(this._linker.add(entry));
    // An LLM call with children in this export may fold a nested duplicate of itself: it goes last.
    if (order.parents.has(entry.spanId)) {
      order.deferred.push(entry);
      return [];
    }
    // A held child from an earlier export may be a nested duplicate of this call.
    if (this._linker.hasWaitersOn(entry.spanId)) return this._foldAndLink([entry]);
    return this._decide(this._linker.add(entry));
  }

  /**
   * Every span of the export arrived: the deferred calls are folded and linked, then the ends of
   * spans logged while they ran are taken; what waits for a span not ended is held.
   */
  finish(order: ExportOrder<LinkEntry<T>>): TraceDecision[] {
    // Deferred in ancestor order; folded children first, so a call nested three deep folds whole.
    const decisions = this._foldAndLink(order.deferred.slice().reverse());
    for (const entry of order.openedEnds) decisions.push(...this._endOpened(entry));
    for (const key of order.added) {
      this._parents.delete(key);
      if (this._linker.isHeld(key)) decisions.push({ kind: 'held', key });
    }
    return decisions;
  }

  /** Whether this key is a log opened for a running span (it does not count as its span's log). */
  isOpened(key: string): boolean {
    return this._open.isPlaceholder(key);
  }

  delivered(spanId: string, created: CreatedLog): TraceDecision[] {
    const decisions = this._settled(spanId, this._linker.settle(spanId, true, created.logId));
    return this._withCompletion(decisions, this._open.delivered(spanId, created));
  }

  /** The log will never be delivered: its children link past it; a span it was opened for is logged whole. */
  dropped(spanId: string): TraceDecision[] {
    const decisions = this._settled(spanId, this._linker.settle(spanId, false));
    const whole = this._open.dropped(spanId);
    if (!whole) return decisions;
    // Never opened after all: the whole log goes as an ordinary one, and its end no longer waits.
    decisions.push({ kind: 'held', key: completionKey(spanId) }, ...this._decide(this._linker.add(whole)));
    return decisions;
  }

  /** The log is kept through an outage: what waits for it is held. */
  kept(spanId: string): TraceDecision[] {
    const decisions = this._decide(this._linker.markBuffered(spanId));
    if (this._open.isEnded(spanId)) decisions.push({ kind: 'held', key: completionKey(spanId) });
    return decisions;
  }

  /** At shutdown, a log about to be written to the spool: whole, if it was opened for a span that has ended since. */
  forSpool(item: OutgoingLog): OutgoingLog {
    const end = this._open.takeEnd(item.key);
    return end ? this._options.codec.completed(item, this._options.codec.completion(end.payload)) : item;
  }

  /** At shutdown: completions still waiting for children (which are spooled too). */
  takeWaitingCompletions(): OutgoingLog[] {
    return this._open.takeWaiting().map((ready) => this._completion(ready));
  }

  /** Stops waiting for running parents, for logs that waited `parentWaitMillis`: each is opened if it can be, else they go as roots. */
  expire(now: number): TraceDecision[] {
    return this._decide(this._linker.releaseExpired(now), now);
  }

  /** Stops every wait for a running parent (flush, shutdown): opened a level of ancestors at a time, else roots. */
  releaseAll(now: number): TraceDecision[] {
    const out: TraceDecision[] = [];
    for (let level = 0; level < MAX_OPEN_LEVELS; level++) {
      const decisions = this._linker.releaseAll();
      out.push(...this._decide(decisions, now));
      if (!decisions.some((decision) => decision.kind === 'open')) break;
    }
    return out;
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

  /** A span logged as a placeholder ended: its completion goes once the placeholder (and, where it matters, its children) are through. */
  private _endOpened(entry: LinkEntry<T>): TraceDecision[] {
    const ready = this._open.ended(entry);
    if (ready) return [{ kind: 'send', item: this._completion(ready) }];
    // Its opened log kept through an outage, the completion waits in custody with it; else the export waits for it.
    return this._linker.isBuffered(entry.spanId) ? [] : [{ kind: 'expect', key: completionKey(entry.spanId) }];
  }

  /** A log settled: so did it as a child of an open parent, whose completion may be ready now. */
  private _settled(spanId: string, decisions: Array<LinkDecision<T>>): TraceDecision[] {
    return this._withCompletion(this._decide(decisions), this._open.childSettled(spanId));
  }

  private _withCompletion(decisions: TraceDecision[], ready: Ready<T> | undefined): TraceDecision[] {
    if (ready) decisions.push({ kind: 'send', item: this._completion(ready) });
    return decisions;
  }

  private _completion({ entry, created }: Ready<T>): OutgoingLog {
    const body = this._options.codec.completion(entry.payload);
    return { key: completionKey(entry.spanId), parts: [body], bytes: body.length, completes: { spanId: entry.spanId, created } };
  }

  /** The linker's decisions, carried out as far as this stage can: releases linked, running parents opened. */
  private _decide(decisions: Array<LinkDecision<T>>, now = 0): TraceDecision[] {
    const out: TraceDecision[] = [];
    for (const decision of decisions) {
      if (decision.kind === 'release') out.push({ kind: 'send', item: this._release(decision.entry, decision.link) });
      else if (decision.kind === 'held') out.push({ kind: 'held', key: decision.spanId });
      else out.push(...this._openWaitedFor(decision.spanId, now));
    }
    return out;
  }

  /** A log released, linked open when children will be logged under it; an open parent counts it as a child. */
  private _release(entry: LinkEntry<T>, link: Link): OutgoingLog {
    const { spanId } = entry;
    const open = this._open.isPlaceholder(spanId) || this._parents.has(spanId) || this._linker.hasWaitersOn(spanId);
    const item = this._options.codec.link(entry, link, open);
    if (open) item.awaited = true;
    if (item.incomplete && !this._open.isPlaceholder(spanId)) this._open.openWhole(entry);
    if (link.parent) this._open.childReleased(link.parent.spanId, spanId);
    return item;
  }

  /** Logs what is known of a running span so that what waits for it can go; if it cannot be, they go as roots. */
  private _openWaitedFor(spanId: string, now: number): TraceDecision[] {
    const span = this._running.get(spanId);
    return this._opened(spanId, span && this._options.open(span, now), now);
  }

  /**
   * A child that will be logged started under a running parent: the parent is logged now, so that
   * the child need not wait for it. Not an LLM call: a nested record of the same call folds into
   * it once both have ended.
   */
  private _openEarly(spanId: string, now: number): TraceDecision[] {
    const span = this._running.get(spanId);
    if (!span || !this._linker.claimOpen(spanId)) return [];
    const entry = this._options.open(span, now);
    if (!entry?.payload.call) return this._opened(spanId, entry, now);
    this._linker.openLate(spanId);
    return [];
  }

  private _opened(spanId: string, entry: LinkEntry<T> | undefined, now: number): TraceDecision[] {
    if (!entry) return this._decide(this._linker.cannotOpen(spanId), now);
    this._open.openPlaceholder(spanId);
    return this._decide(this._linker.add(entry), now);
  }

  /**
   * LLM calls, children first: each takes in a nested duplicate of itself, from `calls` or waiting
   * in the linker (from this export or an earlier one); the rest are linked, ancestors first.
   */
  private _foldAndLink(calls: Array<LinkEntry<T>>): TraceDecision[] {
    const { entries, folded, decisions } = foldNestedCalls(calls, this._linker, this._options.codec);
    const out = this._decide(decisions);
    for (const key of folded) out.push({ kind: 'merged', key });
    for (let i = entries.length - 1; i >= 0; i--) out.push(...this._decide(this._linker.add(entries[i])));
    return out;
  }
}
