import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonLine, TracePrinter } from '../../src/cli/serve-output.js';
import { formatLogTree, startLocalLogServer, type LocalLogServer, type LogChange } from '../../src/api/index.js';

/** Traces as terminal trees: from logs a real server stored, as they arrive and when completed. */

const KEY = 'tree-test-key';
let server: LocalLogServer;
let changes: LogChange[];

beforeEach(async () => {
  changes = [];
  server = await startLocalLogServer({ apiKey: KEY, onChange: (change) => changes.push(change) });
});

afterEach(() => server.close());

async function call(method: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.url.replace(/\/v4$/, '')}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-api-key': KEY },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

const at = (seconds: number) => `2026-01-01T00:00:${String(seconds).padStart(2, '0')}.000Z`;

/** An agent placeholder, then its model call (with a nested tool run) and a failed call under it. */
async function sendNestedTrace(): Promise<void> {
  await call('POST', '/v4/logs', {
    project: 'p',
    reference_id: 'agent',
    created_at: at(0),
    config: { type: 'agent', agent_class: 'planner', model_config: { model: 'gpt-4o' } },
    metadata: { placeholder: true },
  });
  await call('POST', '/v4/logs', [
    { project: 'p', reference_id: 'call', parent_reference_id: 'agent', created_at: at(1), duration: 0.5, prompt_tokens: 12, output_tokens: 3, config: { type: 'model', model: 'gpt-4o', provider: 'openai' } },
    { project: 'p', reference_id: 'fail', parent_reference_id: 'agent', created_at: at(3), duration: 1.25, error: '429 slow down', config: { type: 'model', model: 'gpt-4o' } },
  ]);
  await call('POST', '/v4/logs', [
    { project: 'p', reference_id: 'tool', parent_reference_id: 'call', created_at: at(2), duration: 0.0125, config: { type: 'tool', name: 'search\u001b[2J' } },
  ]);
}

describe('trace trees in the terminal', () => {
  it('prints a nested trace once its logs arrive, and its completion after', async () => {
    const lines: string[] = [];
    const printer = new TracePrinter((line) => lines.push(line));
    await sendNestedTrace();
    for (const change of changes.splice(0)) printer.add(change);
    printer.flush();
    const ids = server.logs().map((log) => log.id);
    expect(lines.join('\n')).toBe(
      [
        '',
        `[agent]  planner  gpt-4o  (incomplete)  id ${ids[0]}`,
        `├─ [model]  openai/gpt-4o  tokens 12→3  500.0 ms  id ${ids[1]}`,
        `│  └─ [tool]  search?[2J  12.5 ms  id ${ids[3]}`,
        `└─ [model]  gpt-4o  1.25 s  error: 429 slow down  id ${ids[2]}`,
      ].join('\n'),
    );

    lines.length = 0;
    await call('PATCH', '/v4/logs?reference_id=agent', { output: 'planned', duration: 3 });
    for (const change of changes.splice(0)) printer.add(change);
    printer.flush();
    expect(lines).toEqual([`updated  [agent]  planner  gpt-4o  3.00 s  id ${ids[0]}`]);
    printer.flush();
    expect(lines).toHaveLength(1);
  });

  it('prints v5 trees by returned ids, and both APIs together', async () => {
    const flow = await call('POST', '/v5/flows/log', { path: 'bot/flow', flow: { attributes: {} }, log_status: 'incomplete', start_time: at(0) });
    await call('POST', '/v5/prompts/log', {
      path: 'bot/answer',
      prompt: { model: 'gpt-4o' },
      trace_parent_id: flow.id,
      start_time: at(1),
      end_time: at(2),
      output_tokens: 7,
    });
    // The flow's end moved with its child's: reported as an update of the flow.
    expect(changes.map((change): unknown[] => [change.change, change.log.id, (change.log as { end_time?: string }).end_time])).toEqual([
      ['stored', flow.id, undefined],
      ['stored', 'log_2', at(2)],
      ['updated', flow.id, at(2)],
    ]);
    await call('POST', '/v4/logs', { project: 'p', config: { type: 'model', model: 'm' } });
    const text = formatLogTree([...server.v5Logs(), ...server.logs()]);
    expect(text.split('\n')).toEqual([
      `[flow]  bot/flow  2.00 s  (incomplete)  id ${String(flow.id)}`,
      `└─ [prompt]  bot/answer  gpt-4o  tokens -→7  1.00 s  id ${server.v5Logs()[1]?.id}`,
      `[model]  m  id ${server.logs()[0]?.id}`,
      '',
      '3 logs, 2 roots, 1 linked to a parent',
    ]);
  });

  it('writes one JSON line per change, with nothing a terminal acts on', async () => {
    await call('POST', '/v4/logs', { project: 'p', output: 'a\u0085b\u202ec\u2028', config: { type: 'model', model: 'm' } });
    const [change] = changes;
    const line = jsonLine(change);
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point.
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2028]/);
    expect(JSON.parse(line)).toMatchObject({ change: 'stored', api: 'v4', log: { output: 'a\u0085b\u202ec\u2028' } });
  });
});
