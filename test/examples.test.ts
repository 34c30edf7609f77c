import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoredLog, StoredV5Log } from 'humanloop-log-server/testing';

/**
 * Each example, run as `npm run example -- NAME` runs it (a process of its own, against the built
 * package: `npm test` builds first), and what its local log server received. The code of the
 * guides and the README's Quickstart is run by runnable-docs.test.ts.
 */

const dir = mkdtempSync(join(tmpdir(), 'hl-examples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(name: string, args: string[] = []): Promise<StoredLog[]> {
  const file = join(dir, `${name}${args.join('')}.json`);
  await promisify(execFile)(process.execPath, ['scripts/example.mjs', name, ...args], {
    env: { ...process.env, EXAMPLE_LOGS_FILE: file, HUMANLOOP_API_KEY: '', HUMANLOOP_BASE_URL: '' },
    timeout: 30_000,
  });
  return JSON.parse(readFileSync(file, 'utf8')) as StoredLog[];
}

const ofType = (logs: StoredLog[], type: string) => logs.filter((log) => log.config.type === type);
const byName = (logs: StoredLog[], name: string) => logs.find((log) => (log.metadata?.otel as { span_name?: string }).span_name === name);

/** Every log of `kind` hangs under a log of `parentKind`, and every log is complete. */
function expectNested(logs: StoredLog[], kind: string, parentKind: string): void {
  const parents = new Set(ofType(logs, parentKind).map((log) => log.reference_id));
  for (const log of ofType(logs, kind)) expect(parents.has(log.parent_reference_id), `${log.reference_id} under a ${parentKind}`).toBe(true);
  for (const log of logs) expect(log.duration, `the duration of ${log.reference_id}`).toEqual(expect.any(Number));
}

describe('examples', () => {
  it('demo: an agent with a tool under an HTTP span, a streamed call and a failed one', async () => {
    const logs = await run('demo');
    expect([ofType(logs, 'agent').length, ofType(logs, 'model').length, ofType(logs, 'tool').length]).toEqual([1, 4, 1]);
    expect(logs.some((log) => log.error?.includes('429'))).toBe(true);
  });

  it('demo --api v5: the agent a complete flow, its calls and tool logged under it by id', async () => {
    const logs = (await run('demo', ['--api', 'v5'])) as unknown as StoredV5Log[];
    const kinds = (type: string) => logs.filter((log) => log.type === type);
    expect([kinds('flow').length, kinds('prompt').length, kinds('tool').length]).toEqual([1, 4, 1]);
    const [flow] = kinds('flow');
    expect(flow).toMatchObject({ path: 'demo/weather-agent', log_status: 'complete' });
    const children = logs.filter((log) => log.trace_parent_id === flow.id).map((log) => log.type);
    expect(children.sort()).toEqual(['prompt', 'prompt', 'tool']);
    // Nothing was refused on the way: a log sent again without a field says so in its metadata.
    expect(logs.filter((log) => (log.metadata as { refused_fields?: unknown } | undefined)?.refused_fields)).toEqual([]);
  });

  it('nodesdk-otlp: the LLM spans reach Humanloop beside the OTLP pipeline, the HTTP span does not', async () => {
    const logs = await run('nodesdk-otlp');
    expect(logs.map((log) => log.config.type).sort()).toEqual(['agent', 'model']);
    expectNested(logs, 'model', 'agent');
  });

  it('langchain-openinference: the chain with its prompt and model under it, and the tool', async () => {
    const logs = await run('langchain-openinference');
    const chain = byName(logs, 'RunnableSequence');
    expect(logs.filter((log) => log.parent_reference_id === chain?.reference_id)).toHaveLength(2);
    expect(ofType(logs, 'tool')[0]).toMatchObject({ config: { name: 'lookup_weather' } });
  });

  it('redaction: masked in one project, no content at all in the other', async () => {
    const logs = await run('redaction');
    const redacted = logs.find((log) => log.project === 'redacted');
    const noContent = logs.find((log) => log.project === 'no-content');
    expect(JSON.stringify(redacted)).not.toContain('ada@example.com');
    expect(redacted?.messages?.[0]?.content).toBe('Please email the invoice to [email]');
    expect(noContent).not.toHaveProperty('messages');
    expect(noContent).not.toHaveProperty('output');
  });

  it('environment-tag: the environment and release from the resource', async () => {
    const [log] = await run('environment-tag');
    expect(log).toMatchObject({ environment: 'staging', metadata: { otel: { service_version: '1.4.2' } } });
  });
});
