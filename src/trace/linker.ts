/**
 * Orders logs so that a parent is always logged before its children, in an earlier request.
 *
 * Spans end (and are exported) children first. Every ended span is observed; each span that
 * becomes a log is added as an entry, which waits until its nearest exported ancestor is
 * delivered or dropped, then is released with that ancestor as its parent (or as a root).
 * Non-exported spans in between are skipped. Nothing waits forever: after `parentWaitMillis`
 * (or at flush) an ancestor that is still running is logged as a placeholder when its start was
 * recorded, and otherwise the entry is released as a root; so is the oldest when too many wait.
 */

export interface LinkEntry<T> {
  spanId: string;
  traceId: string;
  parentSpanId: string | undefined;
  /** A conversation id found on the span itself. */
  session: string | undefined;
  arrivedAt: number;
  payload: T;
}

/** Where a released entry hangs in the tree. */
export interface Link {
  parent: { spanId: string; logId: string | undefined } | undefined;
  session: string;
}

export interface LinkerOptions<T> {
  parentWaitMillis: number;
  maxWaitingLogs: number;
  /** Most spans remembered for linking later children; the oldest are forgotten first. */
  maxRememberedSpans?: number;
  onRelease(entry: LinkEntry<T>, link: Link): void;
  /**
   * Asks for a placeholder log of a span that is still running (its start was recorded): the
   * owner adds an entry for it and returns true, or returns false when it cannot.
   */
  onPlaceholder?(spanId: string): boolean;
}

/** `running`: started, not ended, and expected to become a log. */
type NodeState = 'running' | 'not-exported' | 'pending' | 'delivered' | 'dropped';

interface SpanNode {
  parentSpanId: string | undefined;
  state: NodeState;
  logId?: string;
  session?: string;
  placeholderAsked?: boolean;
  /** Its log is kept through an outage: entries waiting for it are held, not in flight. */
  buffered?: boolean;
}

interface Waiting<T> {
  entry: LinkEntry<T>;
  on: string;
}

type Resolution = { ready: true; link: Link } | { ready: false; on: string };

const MAX_DEPTH = 512;
/** Rounds of placeholders one flush may log, one level of running ancestors per round. */
const MAX_PLACEHOLDER_ROUNDS = 64;

export class TraceLinker<T> {
  private readonly _nodes = new Map<string, SpanNode>();
  private readonly _waiting = new Map<string, Waiting<T>>();
  /** The entries of `_waiting` that wait for a span not ended yet: the ones that may time out or be evicted. */
  private readonly _stuck = new Map<string, Waiting<T>>();
  private readonly _waitersOn = new Map<string, Set<string>>();
  private readonly _maxRemembered: number;

  constructor(private readonly _options: LinkerOptions<T>) {
    this._maxRemembered = _options.maxRememberedSpans ?? 100_000;
  }

  /**
   * Records a span's start (when a span processor reports it): a span that will not become a
   * log is skipped at once by its children; one that will is waited for, then placeheld.
   */
  observeStart(spanId: string, parentSpanId: string | undefined, exported: boolean): void {
    if (this._nodes.has(spanId)) return;
    this._remember(spanId, { parentSpanId, state: exported ? 'running' : 'not-exported' });
    this._wake(spanId);
  }

  /** Records ended spans that do not become logs, so children can link past them. */
  observeNotExported(spanId: string, parentSpanId: string | undefined): void {
    if (this._nodes.get(spanId)?.state === 'pending') return;
    this._remember(spanId, { parentSpanId, state: 'not-exported' });
    this._wake(spanId);
  }

  /** Adds a span that becomes a log: released at once if its ancestors allow, else held. */
  add(entry: LinkEntry<T>): void {
    this._remember(entry.spanId, { parentSpanId: entry.parentSpanId, state: 'pending' });
    this._resolveOrWait(entry);
    this._wake(entry.spanId);
    this._enforceWaitingBound();
  }

  /**
   * The entry's log could not go out yet and is kept for a later attempt. Returns the entries
   * now held by that: those waiting for it, directly or through other waiting entries.
   */
  markBuffered(spanId: string): string[] {
    const node = this._nodes.get(spanId);
    if (node) node.buffered = true;
    const held: string[] = [];
    const pending = [spanId];
    for (let visited = 0; pending.length > 0 && visited < this._waiting.size + 1; visited++) {
      for (const waiter of this._waitersOn.get(pending.pop()!) ?? []) {
        held.push(waiter);
        pending.push(waiter);
        // Held now, so bounded like those waiting for a span not ended.
        const waiting = this._waiting.get(waiter);
        if (waiting) this._stuck.set(waiter, waiting);
      }
    }
    this._enforceWaitingBound();
    return held;
  }

  /** The entry's log was delivered (with the API's log id) or finally dropped. */
  settle(spanId: string, delivered: boolean, logId?: string): void {
    const node = this._nodes.get(spanId);
    if (!node) return;
    node.buffered = false;
    node.state = delivered ? 'delivered' : 'dropped';
    if (logId !== undefined) node.logId = logId;
    this._wake(spanId);
  }

  /** Gives up waiting for ancestors that are still running, for entries that waited `parentWaitMillis`. */
  releaseExpired(now: number): void {
    for (const { entry, on } of [...this._stuck.values()]) {
      const expired = now - entry.arrivedAt >= this._options.parentWaitMillis;
      if (expired && this._stuck.get(entry.spanId)?.on === on) this._stopWaiting(entry, on);
    }
  }

  /** Gives up waiting for every ancestor still running (flush, shutdown): placeholders first, then roots. */
  releaseAll(): void {
    for (let round = 0; round < MAX_PLACEHOLDER_ROUNDS; round++) {
      if (this._stuck.size === 0) return;
      for (const { entry, on } of [...this._stuck.values()]) {
        if (this._stuck.get(entry.spanId)?.on === on) this._stopWaiting(entry, on);
      }
    }
  }

  /** A running ancestor is logged as a placeholder if it can be; otherwise the entry goes out as a root. */
  private _stopWaiting(entry: LinkEntry<T>, on: string): void {
    const node = this._nodes.get(on);
    if (node?.state === 'running' && !node.placeholderAsked) {
      node.placeholderAsked = true;
      if (this._options.onPlaceholder?.(on)) return;
    }
    if (this._nodes.get(on)?.state === 'pending') return;
    this._forceRelease(entry);
  }

  /** Waiting for this span may last: it has not ended, or its log is kept through an outage. */
  private _isStuckOn(spanId: string): boolean {
    return this._notEnded(spanId) || this._nodes.get(spanId)?.buffered === true;
  }

  private _notEnded(spanId: string): boolean {
    const node = this._nodes.get(spanId);
    return node === undefined || node.state === 'running';
  }

  /**
   * Takes back the entries waiting for `spanId` as their direct parent that `accept` chooses
   * (their logs are folded into the parent's). Their spans are then skipped over when linking,
   * as spans that are not exported.
   */
  absorbChildren(spanId: string, accept: (entry: LinkEntry<T>) => boolean): Array<LinkEntry<T>> {
    const taken: Array<LinkEntry<T>> = [];
    for (const waiterId of [...(this._waitersOn.get(spanId) ?? [])]) {
      const waiting = this._waiting.get(waiterId);
      if (!waiting || waiting.entry.parentSpanId !== spanId || !accept(waiting.entry)) continue;
      this._unwait(waiterId);
      this._remember(waiterId, { parentSpanId: spanId, state: 'not-exported' });
      this._wake(waiterId);
      taken.push(waiting.entry);
    }
    return taken;
  }

  /** Whether any entry waits for this span as its nearest ancestor. */
  hasWaitersOn(spanId: string): boolean {
    return this._waitersOn.has(spanId);
  }

  /** When the next entry waiting for an ancestor that has not ended is due for release, if any. */
  nextExpiry(): number | undefined {
    let oldest: number | undefined;
    for (const { entry } of this._stuck.values()) if (oldest === undefined || entry.arrivedAt < oldest) oldest = entry.arrivedAt;
    return oldest === undefined ? undefined : oldest + this._options.parentWaitMillis;
  }

  get waitingCount(): number {
    return this._waiting.size;
  }

  get trackedCount(): number {
    return this._nodes.size;
  }

  /**
   * Whether this entry is held: it waits for an ancestor span that has not ended yet, directly
   * or through ancestors that are themselves held. (An entry waiting for a log already on its
   * way is not held: it follows within that log's export.)
   */
  isHeld(spanId: string): boolean {
    let current = spanId;
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      const waiting = this._waiting.get(current);
      if (!waiting) return false;
      if (this._isStuckOn(waiting.on)) return true;
      current = waiting.on;
    }
    return false;
  }

  private _resolveOrWait(entry: LinkEntry<T>): void {
    const resolution = this._resolve(entry);
    if (resolution.ready) return this._release(entry, resolution.link);
    const waiting = { entry, on: resolution.on };
    this._waiting.set(entry.spanId, waiting);
    if (this._isStuckOn(resolution.on)) this._stuck.set(entry.spanId, waiting);
    let waiters = this._waitersOn.get(resolution.on);
    if (!waiters) this._waitersOn.set(resolution.on, (waiters = new Set()));
    waiters.add(entry.spanId);
  }

  private _resolve(entry: LinkEntry<T>): Resolution {
    let current = entry.parentSpanId;
    for (let depth = 0; current !== undefined && depth < MAX_DEPTH; depth++) {
      const node = this._nodes.get(current);
      if (!node || node.state === 'pending' || node.state === 'running') return { ready: false, on: current };
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
    for (const waiterId of waiters) {
      const waiting = this._waiting.get(waiterId);
      if (!waiting) continue;
      this._waiting.delete(waiterId);
      this._stuck.delete(waiterId);
      this._resolveOrWait(waiting.entry);
    }
  }

  private _forceRelease(entry: LinkEntry<T>): void {
    this._unwait(entry.spanId);
    this._release(entry, { parent: undefined, session: entry.session ?? entry.traceId });
  }

  private _release(entry: LinkEntry<T>, link: Link): void {
    const node = this._nodes.get(entry.spanId);
    if (node) node.session = link.session;
    this._options.onRelease(entry, link);
  }

  private _unwait(spanId: string): void {
    const waiting = this._waiting.get(spanId);
    if (!waiting) return;
    this._waiting.delete(spanId);
    this._stuck.delete(spanId);
    const waiters = this._waitersOn.get(waiting.on);
    waiters?.delete(spanId);
    if (waiters?.size === 0) this._waitersOn.delete(waiting.on);
  }

  /** Over the bound, the oldest entries waiting for an ancestor that has not ended go out as roots. */
  private _enforceWaitingBound(): void {
    // Only entries waiting for a span not ended count: the others follow a log already on its way.
    for (let guard = 0; this._stuck.size > this._options.maxWaitingLogs && guard < 1_000_000; guard++) {
      this._forceRelease(this._stuck.values().next().value!.entry);
    }
  }

  private _remember(spanId: string, node: SpanNode): void {
    const known = this._nodes.get(spanId);
    if (known) {
      Object.assign(known, node);
      return;
    }
    this._nodes.set(spanId, node);
    if (this._nodes.size > this._maxRemembered) this._forgetOldest();
  }

  private _forgetOldest(): void {
    for (const [spanId, node] of this._nodes) {
      if (this._nodes.size <= this._maxRemembered) return;
      if (node.state !== 'pending' && !this._waitersOn.has(spanId)) this._nodes.delete(spanId);
    }
  }
}
