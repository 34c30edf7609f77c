import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StoredLog } from '../src/testing/index.js';

/** The examples, run as `npm run example -- NAME` runs them (against the source here), output silenced. */
async function run(name: string): Promise<StoredLog[]> {
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const example = (await import(`../examples/${name}.mjs`)) as { main(): Promise<StoredLog[]> };
  return example.main();
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** Every model log hangs under an agent log, and every log is complete. */
function expectAgentsWithCalls(logs: StoredLog[], agents: number, calls: number): void {
  const agentLogs = logs.filter((log) => log.config.type === 'agent');
  const callLogs = logs.filter((log) => log.config.type === 'model');
  expect([agentLogs.length, callLogs.length]).toEqual([agents, calls]);
  const agentIds = new Set(agentLogs.map((log) => log.reference_id));
  for (const call of callLogs) expect(agentIds.has(call.parent_reference_id)).toBe(true);
  for (const log of logs) expect(log.duration, `the duration of ${log.reference_id}`).toEqual(expect.any(Number));
}

describe('examples', () => {
  it('lambda-handler: each invocation flushes its agent and both calls, nested', async () => {
    expectAgentsWithCalls(await run('lambda-handler'), 2, 4);
  });

  it('next-after: the logs arrive after the response, nested', async () => {
    expectAgentsWithCalls(await run('next-after'), 1, 1);
  });
});
