/**
 * Builds a Humanloop export directory (the official export tool's layout) in a temporary directory,
 * from objects shaped as the v5 API's log responses: what an import test reads.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMPT_LOGS = 1_200;

const prompt = (version: number) => ({
  id: 'pr_export1',
  path: 'support/answer',
  name: 'answer',
  type: 'prompt',
  model: 'gpt-4o-mini',
  version_id: `prv_export${version}`,
  inputs: [],
});
const flow = { id: 'fl_export1', path: 'support/pipeline', name: 'pipeline', type: 'flow', version_id: 'flv_export1', inputs: [] };
const tool = { id: 'tl_export1', path: 'support/search', name: 'search', type: 'tool', version_id: 'tlv_export1', inputs: [] };
const evaluator = { id: 'ev_export1', path: 'support/judge', name: 'judge', type: 'evaluator', version_id: 'evv_export1', inputs: [] };

function promptLog(i: number) {
  return {
    id: `log_p${i}`,
    prompt: prompt(i % 2 === 0 ? 1 : 2),
    messages: [{ role: 'user', content: `question ${i}` }],
    output: `answer ${i}`,
    prompt_tokens: 10,
    output_tokens: 5,
    start_time: new Date(Date.UTC(2025, 5, 1, 0, 0, i)).toISOString(),
    log_status: 'complete',
    evaluator_logs: i === 0 ? [{ id: 'log_judge0', evaluator, parent_id: 'log_p0', judgment: true, evaluator_logs: [] }] : [],
  };
}

/** A flow whose trace goes two levels down: flow → prompt → tool. */
const flowLog = {
  id: 'log_flow1',
  flow,
  inputs: { question: 'where?' },
  log_status: 'complete',
  start_time: '2025-06-02T00:00:00.000Z',
  evaluator_logs: [],
  trace_children: [
    {
      id: 'log_flow1_prompt',
      prompt: prompt(1),
      trace_parent_id: 'log_flow1',
      start_time: '2025-06-02T00:00:01.000Z',
      evaluator_logs: [],
      trace_children: [{ id: 'log_flow1_tool', tool, start_time: '2025-06-02T00:00:02.000Z', evaluator_logs: [], trace_children: [] }],
    },
  ],
};

/** Lines that are not logs, and where they go (file, line number), as the import names them. */
export const BAD_LINES = [
  { file: 'files/pr_export1/logs/2.jsonl', text: '{"id": "log_broken", ', reason: 'not valid JSON' },
  { file: 'files/pr_export1/logs/2.jsonl', text: '[1, 2, 3]', reason: 'a JSON array, not a log object' },
  { file: 'files/pr_export1/logs/2.jsonl', text: JSON.stringify({ prompt: prompt(1), output: 'no id' }), reason: 'a log without an id' },
  {
    file: 'files/pr_export1/logs/2.jsonl',
    text: JSON.stringify({ id: 'log_dataset', dataset: { id: 'ds_1', path: 'd', version_id: 'dsv_1' } }),
    reason: 'log log_dataset has no file of a known type (prompt, tool, flow, agent, evaluator)',
  },
];

export interface BuiltExport {
  dir: string;
  /** Logs in it, nested ones counted. */
  logs: number;
  /** `path:line` of each bad line, and the file directory without file.json. */
  skipped: string[];
}

/** With `bad: false`, no bad lines and every file.json there. */
export function buildExportDir(options: { bad?: boolean } = {}): BuiltExport {
  const bad = options.bad ?? true;
  const dir = mkdtempSync(join(tmpdir(), 'hl-export-'));
  const write = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const lines = (items: unknown[]) => `${items.map((item) => JSON.stringify(item)).join('\n')}\n`;
  write('files/pr_export1/file.json', JSON.stringify(prompt(2)));
  write('files/pr_export1/versions/prv_export1', JSON.stringify(prompt(1)));
  write('files/pr_export1/versions/prv_export2', JSON.stringify(prompt(2)));
  const logs = Array.from({ length: PROMPT_LOGS }, (_, i) => promptLog(i));
  write('files/pr_export1/logs/1.jsonl', lines(logs.slice(0, 1000)));
  const second = lines(logs.slice(1000));
  write('files/pr_export1/logs/2.jsonl', bad ? `${second}${BAD_LINES.map((line) => line.text).join('\n')}\n` : second);
  write('files/fl_export1/file.json', JSON.stringify(flow));
  write('files/fl_export1/logs/1.jsonl', lines([flowLog]));
  write('files/tl_export1/file.json', JSON.stringify(tool));
  write('files/tl_export1/logs/1.jsonl', lines([{ id: 'log_tool_alone', tool, output: '3 results', evaluator_logs: [] }]));
  // A file directory the export left without its file.json: its logs are still read.
  if (!bad) write('files/ev_export1/file.json', JSON.stringify(evaluator));
  write('files/ev_export1/logs/1.jsonl', lines([{ id: 'log_judge_alone', evaluator, parent_id: 'log_p1', judgment: false, evaluator_logs: [] }]));
  const firstBad = PROMPT_LOGS - 1000 + 1;
  return {
    dir,
    logs: PROMPT_LOGS + 1 + 3 + 1 + 1,
    skipped: bad ? ['files/ev_export1/file.json', ...BAD_LINES.map((line, i) => `${line.file}:${firstBad + i}`)] : [],
  };
}
