/** What an exporter does when its process ends without its `shutdown()`. */
export interface ExitHooks {
  /** The event loop emptied: there is still time for asynchronous work. */
  beforeExit(): void;
  /** The process is ending: only synchronous work runs now. */
  exit(): void;
}

const watched = new Set<WeakRef<ExitHooks>>();
let listening = false;

/**
 * Calls `hooks` when the process ends, for as long as they are alive: the process listeners are
 * installed once and hold the hooks weakly, so an exporter that is dropped is not kept alive by
 * them. No signal handler is installed. Returns the unwatch.
 */
export function watchExit(hooks: ExitHooks): () => void {
  if (!listening) {
    listening = true;
    process.on('beforeExit', () => each((watch) => watch.beforeExit()));
    process.on('exit', () => each((watch) => watch.exit()));
  }
  const ref = new WeakRef(hooks);
  watched.add(ref);
  return () => void watched.delete(ref);
}

function each(call: (hooks: ExitHooks) => void): void {
  for (const ref of watched) {
    const hooks = ref.deref();
    if (!hooks) watched.delete(ref);
    else call(hooks);
  }
}
