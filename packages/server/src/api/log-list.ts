import { Recent } from './recent.js';

/**
 * Logs in arrival order, found by id: what the v4 and v5 stores are built on. Readers get copies;
 * a store changes its own logs in place. At most `maxLogs` are kept: the oldest is pushed out to
 * make room (its store forgets it, `onPushedOut` hears of it).
 */
export class LogList<T extends { id: string }> {
  private readonly _logs: Recent<T>;
  private readonly _byId = new Map<string, T>();

  constructor(
    maxLogs: number,
    private readonly _onPushedOut?: () => void,
  ) {
    this._logs = new Recent(maxLogs);
  }

  protected get maxLogs(): number {
    return this._logs.max;
  }

  protected keep(log: T): T {
    const pushedOut = this._logs.push(log);
    this._byId.set(log.id, log);
    if (pushedOut) {
      if (this._byId.get(pushedOut.id) === pushedOut) this._byId.delete(pushedOut.id);
      this.forget(pushedOut);
      this._onPushedOut?.();
    }
    return log;
  }

  /** Called for a log pushed out to make room: the store lets go of what it kept about it. */
  protected forget(_log: T): void {}

  /** Puts back a log kept from an earlier run; one of the same id takes its contents instead. */
  protected restoreLog(log: T): T {
    const existing = this._byId.get(log.id);
    return existing ? replaceContents(existing, log) : this.keep(log);
  }

  /** The stored log itself, for its store to change. */
  protected find(id: string): T | undefined {
    return this._byId.get(id);
  }

  /** The stored logs themselves, in arrival order (a new array of them): for the store's reads. */
  protected own(): readonly T[] {
    return this._logs.toArray();
  }

  hasLogId(id: string): boolean {
    return this._byId.has(id);
  }

  get(id: string): T | undefined {
    const log = this._byId.get(id);
    return log && structuredClone(log);
  }

  all(): T[] {
    return structuredClone(this._logs.toArray());
  }

  get count(): number {
    return this._logs.size;
  }

  /** Logs pushed out to make room since the start or `clear()`. */
  get pushedOut(): number {
    return this._logs.pushedOut;
  }

  clear(): void {
    this._logs.clear();
    this._byId.clear();
  }
}

/** `target` with exactly the members of `source`: other holders of `target` see the new contents. */
function replaceContents<T extends object>(target: T, source: T): T {
  for (const key of Object.keys(target)) delete (target as Record<string, unknown>)[key];
  return Object.assign(target, source);
}
