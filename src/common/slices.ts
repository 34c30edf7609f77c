/** Items worked on at a time before I/O may run: about a millisecond of mapping. */
export const SLICE_SIZE = 64;

/**
 * Taken when this module loads, so that fake timers installed later (in an application's own
 * tests) cannot stall work between its slices.
 */
const setImmediateAtLoad = setImmediate;

/** The next turn of the event loop, after pending I/O. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediateAtLoad(resolve));
}
