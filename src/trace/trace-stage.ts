import { TraceFlags, type SpanContext } from '@opentelemetry/api';
import type { ReadableSpan } from '../otel.js';
import type { CreatedLog, OutgoingLog } from '../delivery/dialect.js';
import { localParentSpanId } from '../mapping/span-ids.js';
import { foldNestedCalls, type FoldableLog, type LogCodec } from './fold-calls.js';
import { TraceLinker, type Link, type LinkDecision, type LinkEntry, type StartState } from './linker.js';
import { Placeholders, type AfterPlaceholder } from './placeholders.js';
import type { ExportOrder } from './release-order.js';

/**
 * What the trace stage decided, for the pipeline to carry out:
 * - `send`: this log (linked into the trace) or completion may go now;
 * - `held`: the log waits in the exporter's custody (for a span not ended, or a kept parent): its export need not wait;
 * - `merged`: the log was folded into an enclosing call's log: its export need not wait either;
 * - `expect`: the export that brought the span waits for this key too (a completion that comes later).
 */
export type TraceDecision = { kind: 'send'; item: OutgoingLog } | { kind: 'held' | 'merged' | 'expect'; key: string };

export interface TraceCodec<T> extends LogCodec<T> {
  /** The log with its place in the trace written in. */
  link(entry: LinkEntry<T>, link: Link): OutgoingLog;
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
 * call folded into one log, and logs opened for spans still running (then completed). It
 * hears of spans and of their logs' fate, and answers with decisions; it calls no one.
 */
export class TraceStage<T extends FoldableLog> {
  private readonly _linker: TraceLinker<T>;
  private readonly _placeholders: Placeholders<T>;

  constructor(private readonly _options: TraceStageOptions<T>) {
    this._placeholders = new Placeholders(_options.maxTrackedSpans);
    this._linker = new TraceLinker<T>({
      parentWaitMillis: _options.parentWaitMillis,
      maxWaitingLogs: _options.maxWaitingLogs,
      maxRememberedSpans: _options.maxTrackedSpans,
      exportedNow: (spanId) => {
        const span = this._placeholders.running(spanId);
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
      decisions.push(...this._withSpans(this._linker.observeStart(parent.spanId, undefined, 'not-exported')));
    }
    let state: StartState = 'not-exported';
    if (isSampled(traceFlags)) {
      this._placeholders.started(spanId, span);
      state = this._options.isExported(span) ? 'exported' : 'unknown';
    }
    const parentId = localParentSpanId(span);
    decisions.push(...this._withSpans(this._linker.observeStart(spanId, parentId, state)));
    if (state === 'exported' && parentId !== undefined && this._options.openParentsEarly) {
      decisions.push(...this._openEarly(parentId, now));
    }
    return decisions;
  }

  /** A span ended that becomes no log (not an LLM span, filtered, dropped by a queue...). */
  endedWithoutLog(spanId: string, parent: string | undefined): TraceDecision[] {
    this._placeholders.endedWithoutLog(spanId);
    return this._withSpans(this._linker.observeNotExported(spanId, parent));
  }

  /** A span's log arrived within an export. */
  arrive(entry: LinkEntry<T>, order: ExportOrder<LinkEntry<T>>): TraceDecision[] {
    if (this._placeholders.isOpen(entry.spanId)) return this._endOpened(entry);
    this._placeholders.endedWithoutLog(entry.spanId);
    order.added.push(entry.spanId);
    if (!entry.payload.call) return this._withSpans(this._linker.add(entry));
    // An LLM call with children in this export may fold a nested duplicate of itself: it goes last.
    if (order.parents.has(entry.spanId)) {
      order.deferred.push(entry);
      return [];
    }
    // A held child from an earlier export may be a nested duplicate of this call.
    if (this._linker.hasWaitersOn(entry.spanId)) return this._foldAndLink([entry]);
    return this._withSpans(this._linker.add(entry));
  }

  /** Every span of the export arrived: the deferred calls are folded and linked; what waits for a span not ended is held. */
  finish(order: ExportOrder<LinkEntry<T>>): TraceDecision[] {
    // Deferred in ancestor order; folded children first, so a call nested three deep folds whole.
    const decisions = this._foldAndLink(order.deferred.slice().reverse());
    for (const key of order.added) if (this._linker.isHeld(key)) decisions.push({ kind: 'held', key });
    return decisions;
  }

  /** Whether this key is a log opened for a running span (it does not count as its span's log). */
  isOpened(key: string): boolean {
    return this._placeholders.isOpen(key);
  }

  delivered(spanId: string, created: CreatedLog): TraceDecision[] {
    const decisions = this._withSpans(this._linker.settle(spanId, true, created.logId));
    return this._afterPlaceholder(this._placeholders.settled(spanId, created), decisions);
  }

  /** The log will never be delivered: its children link past it; a span it was opened for is logged whole. */
  dropped(spanId: string): TraceDecision[] {
    const decisions = this._withSpans(this._linker.settle(spanId, false));
    return this._afterPlaceholder(this._placeholders.settled(spanId, undefined), decisions);
  }

  /** The log is kept through an outage: what waits for it is held. */
  kept(spanId: string): TraceDecision[] {
    const decisions = this._withSpans(this._linker.markBuffered(spanId));
    if (this._placeholders.isDeferred(spanId)) decisions.push({ kind: 'held', key: completionKey(spanId) });
    return decisions;
  }

  /** At shutdown, a log about to be written to the spool: whole, if it was opened for a span that has ended since. */
  forSpool(item: OutgoingLog): OutgoingLog {
    const deferred = this._placeholders.takeDeferred(item.key);
    return deferred ? this._options.codec.completed(item, this._options.codec.completion(deferred.entry.payload)) : item;
  }

  /** Stops waiting for running parents, for logs that waited `parentWaitMillis`: each is opened if it can be, else they go as roots. */
  expire(now: number): TraceDecision[] {
    return this._withSpans(this._linker.releaseExpired(now), now);
  }

  /** Stops every wait for a running parent (flush, shutdown): opened a level of ancestors at a time, else roots. */
  releaseAll(now: number): TraceDecision[] {
    const out: TraceDecision[] = [];
    for (let level = 0; level < MAX_OPEN_LEVELS; level++) {
      const decisions = this._linker.releaseAll();
      out.push(...this._withSpans(decisions, now));
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
    return this._placeholders.runningCount;
  }

  private _endOpened(entry: LinkEntry<T>): TraceDecision[] {
    const end = this._placeholders.ended(entry.spanId, () => ({ entry }));
    if (end.kind === 'complete') return [{ kind: 'send', item: this._completion(entry, end.created) }];
    // Its opened log kept through an outage, the completion waits in custody with it; else the export waits for it.
    return this._linker.isBuffered(entry.spanId) ? [] : [{ kind: 'expect', key: completionKey(entry.spanId) }];
  }

  private _afterPlaceholder(after: AfterPlaceholder<T>, decisions: TraceDecision[]): TraceDecision[] {
    switch (after.kind) {
      case 'none':
        return decisions;
      case 'complete':
        return [...decisions, { kind: 'send', item: this._completion(after.deferred.entry, after.created) }];
      case 'relog':
        // Never opened after all: the whole log goes as an ordinary one, and the end no longer waits.
        decisions.push({ kind: 'held', key: completionKey(after.deferred.entry.spanId) });
        return [...decisions, ...this._withSpans(this._linker.add(after.deferred.entry))];
    }
  }

  private _completion(entry: LinkEntry<T>, created: CreatedLog): OutgoingLog {
    const body = this._options.codec.completion(entry.payload);
    return { key: completionKey(entry.spanId), parts: [body], bytes: body.length, completes: { spanId: entry.spanId, created } };
  }

  /** The linker's decisions, carried out as far as this stage can: releases linked, running parents opened. */
  private _withSpans(decisions: Array<LinkDecision<T>>, now = 0): TraceDecision[] {
    const out: TraceDecision[] = [];
    for (const decision of decisions) {
      if (decision.kind === 'release') out.push({ kind: 'send', item: this._options.codec.link(decision.entry, decision.link) });
      else if (decision.kind === 'held') out.push({ kind: 'held', key: decision.spanId });
      else out.push(...this._open(decision.spanId, now));
    }
    return out;
  }

  /** Logs what is known of a running span so that what waits for it can go; if it cannot be, they go as roots. */
  private _open(spanId: string, now: number): TraceDecision[] {
    const span = this._placeholders.running(spanId);
    return this._opened(spanId, span && this._options.open(span, now), now);
  }

  /**
   * A child that will be logged started under a running parent: the parent is logged now, so that
   * the child need not wait for it. Not an LLM call: a nested record of the same call folds into
   * it once both have ended.
   */
  private _openEarly(spanId: string, now: number): TraceDecision[] {
    const span = this._placeholders.running(spanId);
    if (!span || !this._linker.claimOpen(spanId)) return [];
    const entry = this._options.open(span, now);
    if (!entry?.payload.call) return this._opened(spanId, entry, now);
    this._linker.openLate(spanId);
    return [];
  }

  private _opened(spanId: string, entry: LinkEntry<T> | undefined, now: number): TraceDecision[] {
    if (!entry) return this._withSpans(this._linker.cannotOpen(spanId), now);
    this._placeholders.opened(spanId);
    return this._withSpans(this._linker.add(entry), now);
  }

  /**
   * LLM calls, children first: each takes in a nested duplicate of itself, from `calls` or waiting
   * in the linker (from this export or an earlier one); the rest are linked, ancestors first.
   */
  private _foldAndLink(calls: Array<LinkEntry<T>>): TraceDecision[] {
    const { entries, folded, decisions } = foldNestedCalls(calls, this._linker, this._options.codec);
    const out = this._withSpans(decisions);
    for (const key of folded) out.push({ kind: 'merged', key });
    for (let i = entries.length - 1; i >= 0; i--) out.push(...this._withSpans(this._linker.add(entries[i])));
    return out;
  }
}
