import { afterEach, describe, expect, it } from 'vitest';
import { mapSpan } from '../../src/mapping/map-span.js';
import { defaultPath, pathResolver } from '../../src/mapping/file-path.js';
import type { LogRequest } from '../../src/log/log-request.js';
import type { ReadableSpan } from '../../src/common/otel.js';
import { captureDiag } from '../helpers/harness.js';
import type { Attributes } from '@opentelemetry/api';
import { CHAT_ATTRIBUTES, chatSpans, MAPPER_OPTIONS } from '../helpers/spans.js';

/** v5 files a log under a path: the project, then what the log is of. */

const TOOL = { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' };
const WORKFLOW = { 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.workflow.name': 'search' };
const AGENT = { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner', 'gen_ai.request.model': 'gpt-4o' };

function logged(attributes: Attributes): { log: LogRequest; span: ReadableSpan } {
  const [span] = chatSpans(1, attributes);
  const { log } = mapSpan(span, { ...MAPPER_OPTIONS, project: 'support/bot' });
  return { log: log!, span };
}

let diag: ReturnType<typeof captureDiag> | undefined;
afterEach(() => diag?.restore());

describe('the default path', () => {
  it('is the project, then the model, tool, agent or workflow name, each made a safe segment', () => {
    expect(defaultPath(logged(CHAT_ATTRIBUTES).log)).toBe(`support-bot/${String(CHAT_ATTRIBUTES['gen_ai.request.model'])}`);
    expect(defaultPath(logged(TOOL).log)).toBe('support-bot/search');
    expect(defaultPath(logged(AGENT).log)).toBe('support-bot/planner');
    expect(defaultPath(logged({ ...TOOL, 'gen_ai.tool.name': '../../etc' }).log)).toBe('support-bot/..-..-etc');
    expect(defaultPath(logged({ ...TOOL, 'gen_ai.tool.name': '..' }).log)).toBe('support-bot/unnamed');
  });
});

describe('pathResolver', () => {
  it("takes the user's path, and the default when it gives none or throws", () => {
    const paths = ['', 'custom/place'];
    const resolve = pathResolver(() => {
      if (paths.length === 0) throw new Error('no more');
      return paths.shift()!;
    });
    diag = captureDiag();
    const { log, span } = logged(TOOL);
    expect([resolve(log, span), resolve(log, span), resolve(log, span)]).toEqual(['support-bot/search', 'custom/place', 'support-bot/search']);
    expect(diag.messages.filter((message) => message.includes('path threw'))).toHaveLength(1);
  });

  it('keeps a path to one kind of file: another kind at the same path gets its kind appended', () => {
    const resolve = pathResolver(undefined);
    const tool = logged(TOOL);
    const workflow = logged(WORKFLOW);
    expect(resolve(tool.log, tool.span)).toBe('support-bot/search');
    expect(resolve(workflow.log, workflow.span)).toBe('support-bot/search (flow)');
    expect(resolve(tool.log, tool.span)).toBe('support-bot/search');
  });
});
