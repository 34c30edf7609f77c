import type { Dialect } from './harness.js';
import { checkAfterShutdown, checkAfterStep } from './lifecycle-invariants.js';
import { LifecycleRun } from './lifecycle-rig.js';
import type { Script } from './lifecycle-steps.js';

/**
 * Plays a script of steps against a new server and exporters, checking the invariants after
 * each step and after the shutdown that ends it. A failure says what each step did.
 */
export async function playScript(api: Dialect, script: Script, spoolDirs: { processor: string; exporter: string }): Promise<void> {
  const run = await LifecycleRun.start(api, { batchSize: script.batchSize, seed: script.seed, spoolDirs });
  try {
    for (const step of script.steps) checkAfterStep(run, await run.step(step));
    await run.finish();
    checkAfterShutdown(run);
  } catch (error) {
    throw withJournal(error, run);
  } finally {
    await run.close();
  }
}

/** The failure, with what each step did and what the exporters hold. */
function withJournal(error: unknown, run: LifecycleRun): Error {
  const message = error instanceof Error ? error.message : String(error);
  const stats = run.live.map((exporter) => JSON.stringify(exporter.stats()));
  return new Error(`${message}\n\nWhat happened:\n${run.journal.join('\n')}\n\nStats of the exporters running:\n${stats.join('\n')}`, { cause: error });
}
