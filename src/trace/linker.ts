/**
 * Orders logs so that a parent is always logged before its children, in an earlier request.
 *
 * Spans end (and are exported) children first. Every ended span is observed; each span that
 * becomes a log is added as an entry, which waits until its nearest exported ancestor is
 * delivered or dropped, then is released with that ancestor as its parent (or as a root).
 * Non-exported spans in between are skipped. Nothing waits forever: after `parentWaitMillis`
 * (or at flush) an ancestor that is still running is asked to be opened (logged with what is
 * known of it so far), and otherwise the entry is released as a root; so is the oldest when too
 * many wait.
 *
 * Every method that changes what waits returns its decisions as data; the linker calls no one.
 */

import type { Link } from '../log/unlinked-log.js';

/** What the linker needs of a log: its span, its parent span, and when it started waiting. */
export interface LinkEntry {
  readonly spanId: string;
  readonly traceId: string;
  readonly parentSpanId: string | undefined;
  /** A conversation id found on the span itself. */
  readonly session: string | undefined;
  readonly createdAt: number;
}

/**
 * - `release`: the entry may go now, linked so;
 * - `open`: entries wait for this span, still running past their wait: log what is known of it
 *   (answer with `add`), or say it cannot be (`cannotOpen`);
 * - `waiting`: the entry now waits for a log kept through an outage: its export need not wait.
 */
export type LinkDecision<E extends LinkEntry> =
  | { kind: 'release'; entry: E; link: Link }
  | { kind: 'open'; spanId: string }
  | { kind: 'waiting'; spanId: string };

/** How a span that has started but not ended is seen. */
export type StartState = 'exported' | 'unknown' | 'not-exported';

export interface LinkerOptions {
  parentWaitMillis: number;
  maxWaitingLogs: number;
  /** Most spans remembered for linking later children; the oldest are forgotten first. */
  maxRememberedSpans?: number;
  /**
   * Whether a running span that did not look exported when it started does now: attributes
   * may be set after a span starts. Asked when a child looks past it.
   */
  exportedNow?(spanId: string): boolean;
}

/**
 * `running`: started, not ended, and expected to become a log; `unknown`: started, not ended,
 * not expected to (children look past it, asking `exportedNow` first); `not-exported`: ended (or
 * never sampled) without a log; `created`: its log is on its way; `delivered` or `dropped`: its
 * log's fate.
 */
type NodeState = 'running' | 'unknown' | 'not-exported' | 'created' | 'delivered' | 'dropped';

interface SpanNode {
  parentSpanId: string | undefined;
  state: NodeState;
  logId?: string;
  session?: string;
  /**
   * A running span's log: asked to be opened; or it could not be (what waits for it then goes as
   * roots); or it is to be opened only once something waits for it (`late`).
   */
  opening?: 'asked' | 'failed' | 'late';
  /** Its log is kept through an outage: entries waiting for it wait with it. */
  kept?: boolean;
}

interface Waiting<E> {
  entry: E;
  on: string;
  /** When its wait for a span not ended began: when the log was created, or later if it came to wait so later. */
  since: number;
}

type Resolution = { ready: true; link: Link } | { ready: false; on: string };

const MAX_DEPTH = 512;

export class TraceLinker<E extends LinkEntry> {
  private readonly _nodes = new Map<string, SpanNode>();
  private readonly _waiting = new Map<string, Waiting<E>>();
  /**
   * The entries of `_waiting` whose wait may last: for a span not ended, or for a log kept
   * through an outage. They count against `maxWaitingLogs`, oldest out first.
   */
  private readonly _lasting = new Map<string, Waiting<E>>();
  /** Those of `_lasting` that wait for a span not ended: they time out after `parentWaitMillis`. */
  private readonly _expiring = new Map<string, Waiting<E>>();
  private readonly _waitersOn = new Map<string, Set<string>>();
  /** Known spans that may be forgotten (no log on its way, no entry waiting for them), oldest first. */
  private readonly _forgettable = new Set<string>();
  private readonly _maxRemembered: number;
  /** The time of the last `releaseExpired`: no wait on the clock is due before it. */
  private _lastExpiry = -Infinity;
  private _out: Array<LinkDecision<E>> = [];

  constructor(private readonly _options: LinkerOptions) {
    this._maxRemembered = _options.maxRememberedSpans ?? 100_000;
  }

  /**
   * Records a span's start (when a span processor reports it): a span that will not become a
   * log is skipped at once by its children; one that will is waited for, then opened.
   */
  observeStart(spanId: string, parentSpanId: string | undefined, state: StartState): Array<LinkDecision<E>> {
    this._out = [];
    if (this._nodes.has(spanId)) return this._out;
    const nodeState = state === 'exported' ? 'running' : state;
    this._remember(spanId, { parentSpanId, state: nodeState });
    this._wake(spanId);
    return this._out;
  }

  /** Records an ended span that does not become a log, so children link past it. */
  observeNotExported(spanId: string, parentSpanId: string | undefined): Array<LinkDecision<E>> {
    this._out = [];
    if (this._nodes.get(spanId)?.state !== 'created') {
      this._remember(spanId, { parentSpanId, state: 'not-exported' });
      this._wake(spanId);
    }
    return this._out;
  }

  /** Adds a span that becomes a log: released at once if its ancestors allow, else it waits. */
  add(entry: E): Array<LinkDecision<E>> {
    this._out = [];
    this._remember(entry.spanId, { parentSpanId: entry.parentSpanId, state: 'created' });
    this._resolveOrWait(entry);
    this._wake(entry.spanId);
    this._enforceWaitingBound();
    return this._out;
  }

  /**
   * The entry's log could not go out yet and is kept for a later attempt: the entries waiting
   * for it, directly or through other waiting entries, wait with it.
   */
  markKept(spanId: string): Array<LinkDecision<E>> {
    this._out = [];
    const node = this._nodes.get(spanId);
    if (node) node.kept = true;
    const waitedOn = [spanId];
    for (let visited = 0; waitedOn.length > 0 && visited < this._waiting.size + 1; visited++) {
      for (const waiter of this._waitersOn.get(waitedOn.pop()!) ?? []) {
        this._out.push({ kind: 'waiting', spanId: waiter });
        waitedOn.push(waiter);
        // Its wait may last now, so it is bounded like those waiting for a span not ended.
        const waiting = this._waiting.get(waiter);
        if (waiting) this._lasting.set(waiter, waiting);
      }
    }
    this._enforceWaitingBound();
    return this._out;
  }

  /** The entry's log was delivered (with the API's log id) or finally dropped. */
  settle(spanId: string, delivered: boolean, logId?: string): Array<LinkDecision<E>> {
    this._out = [];
    const node = this._nodes.get(spanId);
    if (!node) return this._out;
    node.kept = false;
    node.state = delivered ? 'delivered' : 'dropped';
    if (logId !== undefined) node.logId = logId;
    this._wake(spanId);
    this._refresh(spanId);
    // What waited behind it may come to wait for an ancestor not ended: bounded as any such wait.
    this._enforceWaitingBound();
    this._trim();
    return this._out;
  }

  /**
   * Stops waiting for ancestors still running, for entries that waited `parentWaitMillis`. An
   * entry that still waits afterwards waits for a log on its way or kept: no longer on the clock.
   */
  releaseExpired(now: number): Array<LinkDecision<E>> {
    this._out = [];
    this._lastExpiry = Math.max(this._lastExpiry, now);
    for (const { entry, on, since } of [...this._expiring.values()]) {
      if (now - since < this._options.parentWaitMillis) continue;
      if (this._expiring.get(entry.spanId)?.on === on) this._stopWaiting(entry, on);
      if (this._expiring.get(entry.spanId)?.on === on) this._expiring.delete(entry.spanId);
    }
    this._trim();
    return this._out;
  }

  /** Stops waiting for every ancestor still running (flush, shutdown): opened first, else roots. */
  releaseAll(): Array<LinkDecision<E>> {
    this._out = [];
    for (const { entry, on } of [...this._lasting.values()]) {
      if (this._lasting.get(entry.spanId)?.on === on) this._stopWaiting(entry, on);
    }
    return this._out;
  }

  /**
   * Claims a running span that will become a log for opening now, before anything waits for it
   * (its first child started): true once, if it may be opened; answer with `add` or `cannotOpen`.
   */
  claimOpen(spanId: string): boolean {
    const node = this._nodes.get(spanId);
    if (node?.state === 'unknown' && this._options.exportedNow?.(spanId)) node.state = 'running';
    if (node?.state !== 'running' || node.opening !== undefined) return false;
    node.opening = 'asked';
    return true;
  }

  /** A claimed span is not opened after all: it will be when something has waited for it long enough. */
  openLate(spanId: string): void {
    const node = this._nodes.get(spanId);
    if (node?.opening === 'asked') node.opening = 'late';
  }

  /** The running span could not be opened: what waits for it (now or later) goes out as roots. */
  cannotOpen(spanId: string): Array<LinkDecision<E>> {
    this._out = [];
    const node = this._nodes.get(spanId);
    if (node?.state === 'running') node.opening = 'failed';
    for (const waiterId of [...(this._waitersOn.get(spanId) ?? [])]) {
      const waiting = this._waiting.get(waiterId);
      if (waiting) this._forceRelease(waiting.entry);
    }
    return this._out;
  }

  /**
   * Takes back the entries waiting for `spanId` as their direct parent that `accept` chooses
   * (their logs are folded into the parent's). Their spans are then skipped over when linking,
   * as spans that are not exported. Nothing is released by this: they waited for `spanId`.
   */
  absorbChildren(spanId: string, accept: (entry: E) => boolean): Array<E> {
    const taken: Array<E> = [];
    for (const waiterId of [...(this._waitersOn.get(spanId) ?? [])]) {
      const waiting = this._waiting.get(waiterId);
      if (!waiting || waiting.entry.parentSpanId !== spanId || !accept(waiting.entry)) continue;
      this._unwait(waiterId);
      this._remember(waiterId, { parentSpanId: spanId, state: 'not-exported' });
      // Whatever waited for the absorbed span now waits for `spanId` directly.
      for (const grandchild of this._waitersOn.get(waiterId) ?? []) this._moveWaiter(grandchild, waiterId, spanId);
      this._waitersOn.delete(waiterId);
      this._refresh(waiterId);
      taken.push(waiting.entry);
    }
    return taken;
  }

  /** Whether any entry waits for this span as its nearest ancestor. */
  hasWaitersOn(spanId: string): boolean {
    return this._waitersOn.has(spanId);
  }

  /**
   * Whether this entry's wait may last: it waits for an ancestor span that has not ended yet, or
   * for a kept log, directly or through ancestors whose own wait may last. (An entry waiting for
   * a log already on its way follows within that log's export.)
   */
  waitMayLast(spanId: string): boolean {
    let current = spanId;
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      const waiting = this._waiting.get(current);
      if (!waiting) return false;
      if (this._mayLast(waiting.on)) return true;
      current = waiting.on;
    }
    return false;
  }

  /**
   * When the longest-waiting entry for an ancestor not ended is due for release, if any. O(1): the
   * first to start waiting is taken as the oldest; one that started waiting again (its ancestor
   * turned out not to be exported) is released with it, at most `parentWaitMillis` later.
   */
  nextExpiry(): number | undefined {
    for (const { since } of this._expiring.values()) return since + this._options.parentWaitMillis;
    return undefined;
  }

  /** The span this entry waits for, if it waits. */
  waitsFor(spanId: string): string | undefined {
    return this._waiting.get(spanId)?.on;
  }

  /**
   * The nearest ancestor of `spanId` (itself included) that is running and will become a log,
   * looking past spans that will not; none when a log already stands in the way.
   */
  runningAncestor(spanId: string): string | undefined {
    let current: string | undefined = spanId;
    for (let depth = 0; current !== undefined && depth < MAX_DEPTH; depth++) {
      const node = this._nodes.get(current);
      if (node?.state === 'unknown' && this._options.exportedNow?.(current)) node.state = 'running';
      if (node?.state === 'running') return current;
      if (node?.state !== 'unknown' && node?.state !== 'not-exported') return undefined;
      current = node.parentSpanId;
    }
    return undefined;
  }

  /** A span whose log an earlier process delivered (read back from a spool): children link to it. */
  knownDelivered(spanId: string, logId: string | undefined, session: string): void {
    if (this._nodes.get(spanId)?.state === 'created') return;
    this._remember(spanId, { parentSpanId: undefined, state: 'delivered', logId, session });
  }

  get waitingCount(): number {
    return this._waiting.size;
  }

  get trackedCount(): number {
    return this._nodes.size;
  }

  /** A running ancestor is asked to be opened, once; otherwise the entry goes out as a root. */
  private _stopWaiting(entry: E, on: string): void {
    const node = this._nodes.get(on);
    if (node?.state === 'created') return;
    if (node?.state === 'running' && node.opening !== 'failed') {
      if (node.opening !== 'asked') this._out.push({ kind: 'open', spanId: on });
      node.opening = 'asked';
      // Waits for the answer: `add` (opened) or `cannotOpen`.
      return;
    }
    this._forceRelease(entry);
  }

  /** Waiting for this span may last: it has not ended, or its log is kept through an outage. */
  private _mayLast(spanId: string): boolean {
    const node = this._nodes.get(spanId);
    return node === undefined || node.state === 'running' || node.kept === true;
  }

  /**
   * Files a waiting entry by what it waits for: a span not ended (on the clock), a kept log or a
   * log that waits itself (bounded), or a log on its way.
   */
  private _fileWaiting(spanId: string, waiting: Waiting<E>): void {
    const node = this._nodes.get(waiting.on);
    const running = node === undefined || node.state === 'running';
    if (running || node.kept === true || this._waiting.has(waiting.on)) this._lasting.set(spanId, waiting);
    else this._lasting.delete(spanId);
    if (!running) return void this._expiring.delete(spanId);
    // A log that comes to wait for a running span after the last expiry is on the clock from then.
    if (!this._expiring.has(spanId)) waiting.since = Math.max(waiting.entry.createdAt, this._lastExpiry);
    this._expiring.set(spanId, waiting);
  }

  private _resolveOrWait(entry: E): void {
    const resolution = this._resolve(entry);
    if (resolution.ready) return this._release(entry, resolution.link);
    const waiting = { entry, on: resolution.on, since: entry.createdAt };
    this._waiting.set(entry.spanId, waiting);
    this._fileWaiting(entry.spanId, waiting);
    let waiters = this._waitersOn.get(resolution.on);
    if (!waiters) this._waitersOn.set(resolution.on, (waiters = new Set()));
    waiters.add(entry.spanId);
    this._forgettable.delete(resolution.on);
  }

  private _resolve(entry: E): Resolution {
    let current = entry.parentSpanId;
    for (let depth = 0; current !== undefined && depth < MAX_DEPTH; depth++) {
      const node = this._nodes.get(current);
      if (node?.state === 'unknown' && this._options.exportedNow?.(current)) node.state = 'running';
      if (!node || node.state === 'created' || node.state === 'running') return { ready: false, on: current };
      if (node.state === 'delivered') {
        return { ready: true, link: { parent: { spanId: current, logId: node.logId }, session: node.session! } };
      }
      current = node.parentSpanId;
    }
    return { ready: true, link: { parent: undefined, session: entry.session ?? entry.traceId } };
  }

  /** Re-resolves the entries that wait on `spanId`, which has just ended or settled. */
  private _wake(spanId: string): void {
    const waiters = this._waitersOn.get(spanId);
    if (!waiters) return;
    this._waitersOn.delete(spanId);
    this._refresh(spanId);
    for (const waiterId of waiters) {
      const waiting = this._waiting.get(waiterId);
      if (!waiting) continue;
      this._waiting.delete(waiterId);
      this._lasting.delete(waiterId);
      this._expiring.delete(waiterId);
      this._resolveOrWait(waiting.entry);
    }
  }

  private _moveWaiter(waiterId: string, from: string, to: string): void {
    const waiting = this._waiting.get(waiterId);
    if (!waiting || waiting.on !== from) return;
    waiting.on = to;
    this._fileWaiting(waiterId, waiting);
    let waiters = this._waitersOn.get(to);
    if (!waiters) this._waitersOn.set(to, (waiters = new Set()));
    waiters.add(waiterId);
    this._forgettable.delete(to);
  }

  private _forceRelease(entry: E): void {
    this._unwait(entry.spanId);
    this._release(entry, { parent: undefined, session: entry.session ?? entry.traceId });
  }

  private _release(entry: E, link: Link): void {
    const node = this._nodes.get(entry.spanId);
    if (node) node.session = link.session;
    this._out.push({ kind: 'release', entry, link });
    // What waits for it now waits for a log on its way: no longer bounded as a wait that may last.
    for (const waiter of this._waitersOn.get(entry.spanId) ?? []) {
      const waiting = this._waiting.get(waiter);
      if (waiting) this._fileWaiting(waiter, waiting);
    }
  }

  private _unwait(spanId: string): void {
    const waiting = this._waiting.get(spanId);
    if (!waiting) return;
    this._waiting.delete(spanId);
    this._lasting.delete(spanId);
    this._expiring.delete(spanId);
    const waiters = this._waitersOn.get(waiting.on);
    waiters?.delete(spanId);
    if (waiters?.size === 0) this._waitersOn.delete(waiting.on);
    this._refresh(waiting.on);
  }

  /** Over the bound, the oldest entries waiting for an ancestor that has not ended go out as roots. */
  /** Over the bound, the oldest entries whose wait may last go out as roots (the others follow a log already on its way). */
  private _enforceWaitingBound(): void {
    for (let guard = 0; this._lasting.size > this._options.maxWaitingLogs && guard < 1_000_000; guard++) {
      this._forceRelease(this._lasting.values().next().value!.entry);
    }
  }

  /** Forgets what no entry needs any more beyond `maxRememberedSpans` (once an operation is through, never inside it). */
  private _trim(): void {
    if (this._nodes.size > this._maxRemembered) this._forgetOldest();
  }

  private _remember(spanId: string, node: SpanNode): void {
    const known = this._nodes.get(spanId);
    if (known) Object.assign(known, node);
    else this._nodes.set(spanId, node);
    this._refresh(spanId);
    if (this._nodes.size > this._maxRemembered) this._forgetOldest();
  }

  private _refresh(spanId: string): void {
    const node = this._nodes.get(spanId);
    if (node && node.state !== 'created' && !this._waitersOn.has(spanId)) this._forgettable.add(spanId);
    else this._forgettable.delete(spanId);
  }

  /**
   * Forgets the oldest spans no entry needs. Spans still needed (their log on its way, or
   * entries waiting for them) are not in the way: each new span costs O(1) however many are kept.
   */
  private _forgetOldest(): void {
    for (const spanId of this._forgettable) {
      if (this._nodes.size <= this._maxRemembered) return;
      this._forgettable.delete(spanId);
      this._nodes.delete(spanId);
    }
  }
}
