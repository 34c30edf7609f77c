import type { Span, Tracer } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { recordEvaluations, type RecordedEvaluation, type Verdict } from './lifecycle-evaluations.js';
import { attributesOf, type SpanKind, type TreeShape } from './lifecycle-steps.js';
import { recordSpans, startSpan } from './spans.js';

/**
 * The spans of one tree, ended children first: those to export now, and a parent held back for
 * later; and the evaluations its LLM calls recorded.
 */
export interface Tree {
  now: ReadableSpan[];
  held?: ReadableSpan;
  evaluations: RecordedEvaluation[];
}

/**
 * Span trees of the shapes in lifecycle-steps.ts, from a real tracer provider whose spans no
 * exporter saw start (as with a BatchSpanProcessor): what the generated runs export directly.
 * `number` numbers the spans' names, shared with the spans the processor sees.
 */
export class DirectTrees {
  private readonly _recorder = recordSpans('lifecycle-direct');

  constructor(private readonly _number: () => number) {}

  /** A tree of `shape` whose LLM calls each record `verdicts`. */
  build(shape: TreeShape, verdicts: readonly Verdict[] = []): Tree {
    const evaluations: RecordedEvaluation[] = [];
    const held = this._grow(shape, this._recorder.tracer, verdicts, evaluations);
    const spans = this._recorder.spans();
    this._recorder.clear();
    const heldId = held?.spanContext().spanId;
    return {
      now: spans.filter((span) => span.spanContext().spanId !== heldId),
      held: spans.find((span) => span.spanContext().spanId === heldId),
      evaluations,
    };
  }

  shutdown(): Promise<void> {
    return this._recorder.shutdown();
  }

  /** Starts and ends the tree's spans; returns the parent to hold back, if the shape has one. */
  private _grow(shape: TreeShape, tracer: Tracer, verdicts: readonly Verdict[], evaluations: RecordedEvaluation[]): Span | undefined {
    const kinds = new Map<Span, SpanKind>();
    const span = (kind: SpanKind, parent?: Span) => {
      const n = this._number();
      const started = startSpan(tracer, `${kind}#${n}`, attributesOf(kind, n), parent);
      kinds.set(started, kind);
      if (kind === 'chat') {
        const parentOf = parent && { spanId: parent.spanContext().spanId, kind: kinds.get(parent)! };
        evaluations.push(...recordEvaluations(started, n, kind, verdicts, parentOf));
      }
      return started;
    };
    switch (shape) {
      case 'chat':
        return void span('chat').end();
      case 'tree': {
        const workflow = span('workflow');
        const step = span('plain', workflow);
        span('chat', step).end();
        span('tool', workflow).end();
        const agent = span('agent', workflow);
        span('chat', agent).end();
        [agent, step, workflow].forEach((parent) => parent.end());
        return undefined;
      }
      case 'orphan':
        return void span('chat', span('agent')).end();
      case 'children-first': {
        const agent = span('agent');
        span('chat', agent).end();
        span('tool', agent).end();
        agent.end();
        return agent;
      }
      case 'nested-calls': {
        const outer = span('chat');
        span('chat', outer).end();
        return void outer.end();
      }
      case 'wide': {
        const agent = span('agent');
        for (let i = 0; i < 8; i++) span(i % 2 ? 'tool' : 'chat', agent).end();
        return undefined;
      }
      case 'deep': {
        const workflows: Span[] = [];
        for (let level = 0, parent = span('agent'); level < 3; level++) {
          parent = span('workflow', parent);
          span('chat', parent).end();
          workflows.unshift(parent);
        }
        workflows.forEach((workflow) => workflow.end());
        return undefined;
      }
    }
  }
}
