/**
 * The ids kept for project and session names, the most recently used few thousand: an id once kept
 * for a name never changes (the memo tables only ever add), so a name seen before costs no query.
 * Bounded, so a stream of new sessions does not grow it.
 */
import type { MemoTable } from './tables.js';

const DEFAULT_MAX_NAMES = 5_000;

export class NameCache {
  private readonly _ids: Record<MemoTable, Map<string, string>> = { projects: new Map(), sessions: new Map(), judgments: new Map() };

  constructor(private readonly _maxPerTable = DEFAULT_MAX_NAMES) {}

  get(table: MemoTable, name: string): string | undefined {
    const ids = this._ids[table];
    const id = ids.get(name);
    if (id !== undefined) {
      ids.delete(name);
      ids.set(name, id);
    }
    return id;
  }

  /** Only ids a committed transaction kept: one rolled back may have kept none. */
  set(table: MemoTable, name: string, id: string): void {
    const ids = this._ids[table];
    ids.delete(name);
    ids.set(name, id);
    if (ids.size > this._maxPerTable) ids.delete(ids.keys().next().value!);
  }
}
