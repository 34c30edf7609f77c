import type { Attributes } from '@opentelemetry/api';
import fc from 'fast-check';
import type { Fault } from 'humanloop-log-server/testing';
import { verdicts, type Verdict } from './lifecycle-evaluations.js';
import { CHAT_ATTRIBUTES } from './spans.js';

/**
 * The steps of a generated run of the exporter's life (test/reliability/lifecycle.property.test.ts):
 * spans starting and ending under HumanloopSpanProcessor, direct exports to an exporter without
 * it, faults of the log server, time passing, flushes and restarts. A step names spans by their
 * place among those still running (modulo their number), so that a step stays meaningful when
 * shrinking removes the steps before it.
 */

export type SpanKind = 'workflow' | 'agent' | 'chat' | 'tool' | 'plain';

/**
 * Span trees exported directly (no starts seen), ended children first: a lone chat; a workflow
 * tree with a plain span in between; a chat under an agent that never ends; children exported now
 * and their parent only by a later `export-parents` (or never); one LLM call recorded twice (a
 * chat directly inside a chat); eight children of an agent that never ends; three workflows nested
 * under an agent that never ends, each with a chat.
 */
export type TreeShape = 'chat' | 'tree' | 'orphan' | 'children-first' | 'nested-calls' | 'wide' | 'deep';

export type Step =
  /**
   * A span starts under the running span at `parent` (modulo one more than their number: the last
   * is "a root"); it records `evaluations` just before it ends.
   */
  | { do: 'start'; kind: SpanKind; parent: number; evaluations?: Verdict[] }
  /** The running span at `span` (modulo their number) ends. */
  | { do: 'end'; span: number }
  /** A tree exported directly; each of its LLM calls records `evaluations`. */
  | { do: 'export'; shape: TreeShape; evaluations?: Verdict[] }
  /** The parents held back by `children-first` exports are exported, together. */
  | { do: 'export-parents' }
  /** The server plays `fault` on the next `times` requests (after those queued before). */
  | { do: 'fault'; fault: Fault; times: number }
  | { do: 'down' }
  | { do: 'up' }
  | { do: 'advance'; millis: number }
  | { do: 'flush'; which: 'processor' | 'exporter' }
  /**
   * Both exporters shut down and are made again on the same spool directories. `heal`: the server
   * comes up and its queued faults are forgotten, before the shutdown or after it (before the new
   * process starts), or not at all.
   */
  | { do: 'restart'; heal: Heal };

export type Heal = 'before' | 'after' | 'no';

/** What the spans of each kind carry: what the classifier reads (plain spans are not LLM spans). */
export function attributesOf(kind: SpanKind, n: number): Attributes {
  switch (kind) {
    case 'workflow':
      return { 'gen_ai.operation.name': 'invoke_workflow', 'gen_ai.workflow.name': `workflow-${n}` };
    case 'agent':
      return { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': `agent-${n}`, 'gen_ai.request.model': 'gpt-4o' };
    case 'chat':
      return CHAT_ATTRIBUTES;
    case 'tool':
      return { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': `tool-${n}`, 'gen_ai.tool.call.arguments': '{"q":1}' };
    case 'plain':
      return { 'http.request.method': 'GET', 'url.path': `/step/${n}` };
  }
}

/** A fault's longest real wait (delays); a slow body is answered after the client gave up (see SLOW_BODY_MILLIS). */
const MAX_DELAY_MILLIS = 50;

/**
 * The client's request timeout (real time), and a slow body answered past it. A request is given
 * between half of it and all of it (the retry does not start one with less time left), so a
 * delay of MAX_DELAY_MILLIS never loses its answer, and a slow body always does.
 */
export const REQUEST_TIMEOUT_MILLIS = 300;
export const SLOW_BODY_MILLIS = REQUEST_TIMEOUT_MILLIS + 60;

const retryAfter = fc.option(fc.integer({ min: 0, max: 90 }).map(String), { nil: undefined, freq: 2 });

/** With `retryAfter` only when there is one, so that the step prints as the server gets it. */
function statusFault(statuses: number[]): fc.Arbitrary<Fault> {
  return fc
    .record({ status: fc.constantFrom(...statuses), retryAfter })
    .map(({ status, retryAfter: after }) => (after === undefined ? { status } : { status, retryAfter: after }));
}

const fault: fc.Arbitrary<{ fault: Fault; times: number }> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ fault: statusFault([500, 502, 503]), times: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 3, arbitrary: fc.record({ fault: statusFault([429]), times: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ fault: fc.constantFrom<Fault>({ status: 400 }, { status: 422 }), times: fc.constant(1) }) },
  { weight: 1, arbitrary: fc.record({ fault: fc.constant<Fault>({ status: 401 }), times: fc.constant(1) }) },
  { weight: 3, arbitrary: fc.record({ fault: fc.constant<Fault>({ drop: 'reset' }), times: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ fault: fc.constant<Fault>({ drop: 'hang' }), times: fc.constant(1) }) },
  { weight: 2, arbitrary: fc.record({ fault: fc.integer({ min: 1, max: MAX_DELAY_MILLIS }).map((delayMillis): Fault => ({ delayMillis })), times: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ fault: fc.constant<Fault>({ slowBodyMillis: SLOW_BODY_MILLIS }), times: fc.constant(1) }) },
);

/** Mostly under the waits (parentWaitMillis 1 s, export deadline 2 s), sometimes past a retry's backoff, now and then minutes. */
const millis = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 3_000 }) },
  { weight: 2, arbitrary: fc.integer({ min: 3_000, max: 30_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 30_000, max: 300_000 }) },
);

/** A step without evaluations prints, and replays, as it did before spans recorded any. */
function withoutNone<T extends { evaluations?: Verdict[] }>(step: T): T {
  if (step.evaluations?.length !== 0) return step;
  const { evaluations: _none, ...rest } = step;
  return rest as T;
}

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .record({ do: fc.constant('start' as const), kind: fc.constantFrom<SpanKind>('workflow', 'agent', 'chat', 'tool', 'plain'), parent: fc.nat(7), evaluations: verdicts })
      .map(withoutNone),
  },
  { weight: 6, arbitrary: fc.record({ do: fc.constant('end' as const), span: fc.nat(7) }) },
  {
    weight: 3,
    arbitrary: fc
      .record({ do: fc.constant('export' as const), shape: fc.constantFrom<TreeShape>('chat', 'tree', 'orphan', 'children-first', 'nested-calls', 'wide', 'deep'), evaluations: verdicts })
      .map(withoutNone),
  },
  { weight: 1, arbitrary: fc.constant({ do: 'export-parents' as const }) },
  { weight: 4, arbitrary: fault.map(({ fault: f, times }) => ({ do: 'fault' as const, fault: f, times })) },
  { weight: 2, arbitrary: fc.constant({ do: 'down' as const }) },
  { weight: 2, arbitrary: fc.constant({ do: 'up' as const }) },
  { weight: 5, arbitrary: millis.map((ms) => ({ do: 'advance' as const, millis: ms })) },
  { weight: 2, arbitrary: fc.record({ do: fc.constant('flush' as const), which: fc.constantFrom<'processor' | 'exporter'>('processor', 'exporter') }) },
  { weight: 2, arbitrary: fc.record({ do: fc.constant('restart' as const), heal: fc.constantFrom<Heal>('before', 'after', 'no') }) },
);

/** One generated run: its steps, the processor's batch size, and a seed for the exporters' jitter. */
export interface Script {
  steps: Step[];
  batchSize: number;
  seed: number;
}

/** One line per step, as a failing run is reported. */
export function describeStep(s: Step): string {
  switch (s.do) {
    case 'start':
      return `start ${s.kind} under running[${s.parent}]${judged(s.evaluations)}`;
    case 'end':
      return `end running[${s.span}]`;
    case 'export':
      return `export a '${s.shape}' tree directly${judged(s.evaluations)}`;
    case 'fault':
      return `fault ${JSON.stringify(s.fault)} x${s.times}`;
    case 'advance':
      return `advance ${s.millis} ms`;
    case 'flush':
      return `flush the ${s.which}`;
    case 'restart':
      return s.heal === 'no' ? 'restart' : `restart (server healed ${s.heal} the shutdown)`;
    default:
      return s.do;
  }
}

function judged(evaluations: readonly Verdict[] | undefined): string {
  return evaluations?.length ? `, evaluated (${evaluations.join(', ')})` : '';
}

export function describeScript(script: Script): string {
  const lines = script.steps.map((s, i) => `  ${i + 1}. ${describeStep(s)}`);
  return `batchSize ${script.batchSize}, seed ${script.seed}, ${script.steps.length} steps:\n${lines.join('\n')}`;
}

/** Scripts of `minSteps` to `maxSteps` steps, printed one step a line when fast-check reports one. */
export function scripts(minSteps: number, maxSteps: number): fc.Arbitrary<Script> {
  return fc
    .record({
      steps: fc.array(step, { minLength: minSteps, maxLength: maxSteps, size: 'max' }),
      batchSize: fc.constantFrom(1, 4),
      seed: fc.nat(),
    })
    .map((script) => Object.assign(script, { [fc.toStringMethod]: () => describeScript(script) }));
}
