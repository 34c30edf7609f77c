import { expect, it } from 'vitest';
import type { Pruned } from '../src/index.js';
import { RetentionJob } from '../src/store/retention.js';
import { eventually } from './helpers/engines.js';

it('runs another background pass after a write that came while a pass was running', async () => {
  const releases: Array<() => void> = [];
  const pass = () => new Promise<Pruned>((resolve) => releases.push(() => resolve({ logs: 0, bytes: 0 })));
  const job = new RetentionJob(pass, { retainBytes: 1, retentionIntervalMillis: 0 });
  job.wrote();
  await eventually(async () => Promise.resolve(releases.length === 1), 'the first pass to start');
  job.wrote();
  releases[0]();
  await eventually(async () => Promise.resolve(releases.length === 2), 'a second pass for the write made during the first');
  releases[1]();
  expect(releases).toHaveLength(2);
  await job.stop();
});
