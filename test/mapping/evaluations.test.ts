import type { Attributes } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { mapSpan } from '../../src/mapping/map-span.js';
import { CHAT_ATTRIBUTES, MAPPER_OPTIONS, recordSpans, startSpan } from '../helpers/spans.js';

/** A chat span from a real tracer, with `gen_ai.evaluation.result` events as GenAI 1.38 describes them. */
function evaluatedChat(results: Attributes[], attributes: Attributes = CHAT_ATTRIBUTES) {
  const rec = recordSpans('support-bot');
  const chat = startSpan(rec.tracer, 'chat gpt-4o', attributes);
  for (const result of results) chat.addEvent('gen_ai.evaluation.result', result);
  chat.end();
  return rec.spans()[0];
}

const RELEVANCE = {
  'gen_ai.evaluation.name': 'Relevance',
  'gen_ai.evaluation.score.value': 4,
  'gen_ai.evaluation.score.label': 'relevant',
  'gen_ai.evaluation.explanation': 'Answers the question asked.',
};

describe('gen_ai.evaluation.result events', () => {
  it('are read into the mapping, one evaluation per event, and not into the log', () => {
    const span = evaluatedChat([RELEVANCE, { 'gen_ai.evaluation.name': 'Toxicity', 'gen_ai.evaluation.score.label': 'pass' }]);
    const mapping = mapSpan(span, MAPPER_OPTIONS);
    expect(mapping.log).toBeDefined();
    expect(mapping).toMatchObject({
      evaluations: [
        { name: 'Relevance', score: 4, label: 'relevant', explanation: 'Answers the question asked.' },
        { name: 'Toxicity', label: 'pass' },
      ],
    });
    expect(JSON.stringify(mapping.log)).not.toContain('Relevance');
  });

  it('are none for a span without them', () => {
    expect(mapSpan(evaluatedChat([]), MAPPER_OPTIONS)).toMatchObject({ evaluations: [] });
  });

  it('skip an event without a name, and leave out a score that is not a number', () => {
    const span = evaluatedChat([
      { 'gen_ai.evaluation.score.value': 1 },
      { 'gen_ai.evaluation.name': 'Groundedness', 'gen_ai.evaluation.score.value': 'high' },
    ]);
    expect(mapSpan(span, MAPPER_OPTIONS)).toMatchObject({ evaluations: [{ name: 'Groundedness' }] });
  });

  it('keep no explanation when content is not captured', () => {
    const mapping = mapSpan(evaluatedChat([RELEVANCE]), { ...MAPPER_OPTIONS, captureContent: false });
    expect(mapping).toMatchObject({ evaluations: [{ name: 'Relevance', score: 4, label: 'relevant' }] });
    expect(JSON.stringify(mapping)).not.toContain('Answers the question');
  });

  it('stay with a log the redact hook changed', () => {
    const mapping = mapSpan(evaluatedChat([RELEVANCE]), { ...MAPPER_OPTIONS, redact: (log) => ({ ...log, messages: [] }) });
    expect(mapping).toMatchObject({ log: { messages: [] }, evaluations: [{ name: 'Relevance' }] });
  });
});
