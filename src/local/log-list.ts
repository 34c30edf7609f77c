/**
 * Logs in arrival order, found by id: what the v4 and v5 stores are built on. Readers get copies;
 * a store changes its own logs in place.
 */
export class LogList<T extends { id: string }> {
  private _logs: T[] = [];
  private readonly _byId = new Map<string, T>();

  protected keep(log: T): T {
    this._logs.push(log);
    this._byId.set(log.id, log);
    return log;
  }

  /** Puts back a log kept from an earlier run; one of the same id takes its contents instead. */
  protected restoreLog(log: T): T {
    const existing = this._byId.get(log.id);
    return existing ? replaceContents(existing, log) : this.keep(log);
  }

  /** The stored log itself, for its store to change. */
  protected find(id: string): T | undefined {
    return this._byId.get(id);
  }

  hasLogId(id: string): boolean {
    return this._byId.has(id);
  }

  get(id: string): T | undefined {
    const log = this._byId.get(id);
    return log && structuredClone(log);
  }

  all(): T[] {
    return structuredClone(this._logs);
  }

  get count(): number {
    return this._logs.length;
  }

  clear(): void {
    this._logs = [];
    this._byId.clear();
  }
}

/** `target` with exactly the members of `source`: other holders of `target` see the new contents. */
function replaceContents<T extends object>(target: T, source: T): T {
  for (const key of Object.keys(target)) delete (target as Record<string, unknown>)[key];
  return Object.assign(target, source);
}
