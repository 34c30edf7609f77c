/**
 * Trace membership for a batch of new logs, worked out at once: each log joins its parent's trace
 * (or waits under its parent's key), and logs already stored under one of its keys move to its trace.
 * The answer is the one storing the logs one by one would give; the engine then needs one lookup of
 * the parents before, one update of the stored logs that move and one insert. Pure.
 */
import { keysOf, type LogRow } from './row.js';

/** A stored log a key names: its trace, and whether the key was its id (else its reference id). */
export interface StoredParent {
  traceId: string;
  byId: boolean;
}

/** The keys the batch's logs name as parents: what to look up before linking. */
export function parentKeysOf(rows: readonly LogRow[]): string[] {
  return [...new Set(rows.flatMap((row) => (row.parentKey === null ? [] : [row.parentKey])))];
}

/**
 * Sets each row's `traceId` and answers the moves of stored logs: trace id before → after.
 * `stored` holds the parents found among stored logs (by parentKeysOf); it is changed in place.
 */
export function linkBatch(rows: readonly LogRow[], stored: Map<string, StoredParent>): Map<string, string> {
  const byId = new Map<string, LogRow>();
  const byReference = new Map<string, LogRow>();
  const cells: Array<{ traceId: string }> = [...stored.values()];
  const steps: Array<{ keys: string[]; to: string }> = [];
  const resolve = (key: string): string | undefined => {
    const parent = stored.get(key);
    return byId.get(key)?.traceId ?? (parent?.byId ? parent.traceId : undefined) ?? byReference.get(key)?.traceId ?? parent?.traceId;
  };
  for (const row of rows) {
    row.traceId = row.parentKey === null ? row.id : (resolve(row.parentKey) ?? row.parentKey);
    const keys = keysOf(row);
    for (const cell of cells) if (keys.includes(cell.traceId)) cell.traceId = row.traceId;
    cells.push(row);
    steps.push({ keys, to: row.traceId });
    byId.set(row.id, row);
    if (row.referenceId !== null) byReference.set(row.referenceId, row);
  }
  return storedMoves(steps);
}

/** Where each stored trace id a step names ends up after all the steps, when it moves. */
function storedMoves(steps: ReadonlyArray<{ keys: string[]; to: string }>): Map<string, string> {
  const moves = new Map<string, string>();
  for (const from of new Set(steps.flatMap((step) => step.keys))) {
    let traceId = from;
    for (const step of steps) if (step.keys.includes(traceId)) traceId = step.to;
    if (traceId !== from) moves.set(from, traceId);
  }
  return moves;
}
