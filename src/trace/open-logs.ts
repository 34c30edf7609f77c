import type { CreatedLog } from '../delivery/dialect.js';
import type { LinkEntry } from './linker.js';

/** An open log whose completion may go now: what completes it, and what its creation returned. */
export interface Ready<T> {
  entry: LinkEntry<T>;
  created: CreatedLog;
}

interface OpenLog<T> {
  /** Logged before its span ended: its span's end completes it. */
  placeholder: boolean;
  /** What its creation returned, once delivered. */
  created?: CreatedLog;
  /** The span's whole log, once the span has ended (a log created whole but incomplete has it at once). */
  end?: LinkEntry<T>;
  /** Children released under it and not yet settled (counted only when completions wait for them). */
  children: number;
}

/**
 * Logs created incomplete, until their completion goes: placeholders (what was known of a span
 * still running, completed when it ends) and, for an API that closes a log with its completion,
 * parents created incomplete so that their children can be logged under them. A completion is
 * ready once the log is delivered, its span has ended, and (when `waitForChildren`) every child
 * released under it has settled. Bounded by `max`, oldest out first.
 */
export class OpenLogs<T> {
  private readonly _open = new Map<string, OpenLog<T>>();
  private readonly _parentOf = new Map<string, string>();

  constructor(
    private readonly _max: number,
    private readonly _waitForChildren: boolean,
  ) {}

  /** A placeholder for this running span goes out now. */
  openPlaceholder(spanId: string): void {
    this._add(spanId, { placeholder: true, children: 0 });
  }

  /** This whole log goes out incomplete: its completion follows its children. */
  openWhole(entry: LinkEntry<T>): void {
    this._add(entry.spanId, { placeholder: false, end: entry, children: 0 });
  }

  isOpen(spanId: string): boolean {
    return this._open.has(spanId);
  }

  isPlaceholder(spanId: string): boolean {
    return this._open.get(spanId)?.placeholder === true;
  }

  /** Whether the span ended while its placeholder was on its way (its completion waits for it). */
  isEnded(spanId: string): boolean {
    return this._open.get(spanId)?.end !== undefined;
  }

  /** The span of a placeholder ended with this log: its completion, if it may go now. */
  ended(entry: LinkEntry<T>): Ready<T> | undefined {
    const open = this._open.get(entry.spanId);
    if (!open) return undefined;
    open.end = entry;
    return this._ready(entry.spanId);
  }

  /** The log itself was delivered. */
  delivered(spanId: string, created: CreatedLog): Ready<T> | undefined {
    const open = this._open.get(spanId);
    if (!open) return undefined;
    open.created = created;
    return this._ready(spanId);
  }

  /**
   * The log itself will never be delivered. A placeholder whose span has ended gives back that
   * span's whole log, to go as an ordinary one.
   */
  dropped(spanId: string): LinkEntry<T> | undefined {
    const open = this._open.get(spanId);
    this._open.delete(spanId);
    return open?.placeholder && !open.created ? open.end : undefined;
  }

  /** A child was released under `parent`: an open parent's completion waits for it. */
  childReleased(parent: string, child: string): void {
    const open = this._open.get(parent);
    if (!this._waitForChildren || !open) return;
    open.children++;
    this._parentOf.set(child, parent);
  }

  /** A child settled: its parent's completion, if that may go now. */
  childSettled(child: string): Ready<T> | undefined {
    const parent = this._parentOf.get(child);
    if (parent === undefined) return undefined;
    this._parentOf.delete(child);
    const open = this._open.get(parent);
    if (!open) return undefined;
    open.children--;
    return this._ready(parent);
  }

  /** A span whose log is not (or no longer) open ended: nothing is left to complete. */
  forget(spanId: string): void {
    this._open.delete(spanId);
  }

  /** At shutdown, a placeholder about to be spooled: the whole log of its span if it has ended (spooled instead). */
  takeEnd(spanId: string): LinkEntry<T> | undefined {
    const open = this._open.get(spanId);
    if (!open?.placeholder || !open.end) return undefined;
    this._open.delete(spanId);
    return open.end;
  }

  /** At shutdown: completions that still wait for children (those are spooled too), taken. */
  takeWaiting(): Array<Ready<T>> {
    const waiting: Array<Ready<T>> = [];
    for (const [spanId, open] of this._open) {
      if (open.created && open.end) waiting.push({ entry: open.end, created: open.created });
      this._open.delete(spanId);
    }
    return waiting;
  }

  private _ready(spanId: string): Ready<T> | undefined {
    const open = this._open.get(spanId)!;
    if (!open.created || !open.end || (this._waitForChildren && open.children > 0)) return undefined;
    this._open.delete(spanId);
    return { entry: open.end, created: open.created };
  }

  private _add(spanId: string, open: OpenLog<T>): void {
    this._open.set(spanId, open);
    if (this._open.size > this._max) this._open.delete(this._open.keys().next().value!);
  }
}
