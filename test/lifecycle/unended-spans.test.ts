import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const SCRIPT = new URL('./scripts/unended-spans.mjs', import.meta.url).pathname;

async function abandon(kind: 'http' | 'llm', count: number): Promise<{ started: number; collected: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', SCRIPT, kind, String(count)], { timeout: 30_000 });
  return JSON.parse(stdout) as { started: number; collected: number };
}

describe('spans that start and never end, under HumanloopSpanProcessor', () => {
  // Defect: the processor kept every sampled span that never ended, HTTP and DB spans included,
  // up to maxTrackedSpans: 20 000 of them cost 121 MB, against nothing without the processor.
  it('are not kept alive by the exporter once the application lets go of them', async () => {
    for (const kind of ['http', 'llm'] as const) {
      const { started, collected } = await abandon(kind, 2_000);
      expect(collected, `${kind} spans collected of ${started}`).toBe(started);
    }
  });
});
