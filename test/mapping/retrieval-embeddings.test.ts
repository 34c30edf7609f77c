import { describe, expect, it } from 'vitest';
import { mapSpan } from '../../src/mapping/map-span.js';
import { loadFixture } from '../helpers/fixtures.js';
import { MAPPER_OPTIONS } from '../helpers/spans.js';

// A retrieval is a tool run: its query in, its documents out. An embedding is a generic step of
// kind `embedding`, named by its model: the texts embedded in, no vectors out.
describe('retrieval spans as tool logs with their documents', () => {
  it('maps an OTel GenAI retrieval span (1.40)', () => {
    const log = mapSpan(loadFixture('genai-agents').span('retrieval guidebook'), MAPPER_OPTIONS).log;
    expect(log).toMatchObject({
      config: { type: 'tool', name: 'guidebook' },
      inputs: { query: 'What opens early in Paris?' },
      metadata: { operation: 'retrieval', data_source_id: 'guidebook', top_k: 2 },
    });
    expect(JSON.parse(log!.output!)).toEqual([
      { id: 'doc-1', score: 0.92, content: 'The Louvre opens at 9:00.' },
      { id: 'doc-2', score: 0.81 },
    ]);
  });

  it('maps an OpenInference RETRIEVER span (a LangChain retriever)', () => {
    const log = mapSpan(loadFixture('langchain-openai').span('CityGuide'), MAPPER_OPTIONS).log;
    expect(log).toMatchObject({ config: { type: 'tool', name: 'CityGuide' }, inputs: { query: 'What opens early in Paris?' } });
    expect(JSON.parse(log!.output!)).toEqual([
      { content: 'The Louvre opens at 9:00.', metadata: { source: 'guide', page: 3 } },
      { content: 'Bakeries open at 7:00.', metadata: { source: 'guide', page: 8 } },
    ]);
  });

  it('leaves the query and the documents out when content is not captured', () => {
    const log = mapSpan(loadFixture('genai-agents').span('retrieval guidebook'), { ...MAPPER_OPTIONS, captureContent: false }).log;
    expect(log).not.toHaveProperty('inputs');
    expect(log).not.toHaveProperty('output');
  });
});

describe('embedding spans as generic logs of kind embedding', () => {
  const config = { type: 'generic', name: 'text-embedding-3-small', other: { kind: 'embedding', model: 'text-embedding-3-small', provider: 'openai' } };

  it('maps an OpenInference EMBEDDING span (openai embeddings.create) with its texts', () => {
    const log = mapSpan(loadFixture('openai-openinference').span('OpenAI Embeddings'), MAPPER_OPTIONS).log;
    expect(log).toMatchObject({ config, inputs: { input: ['Paris weather', 'Lyon weather'] } });
    expect(JSON.stringify(log)).not.toContain('0.1, 0.2');
  });

  it('maps the AI SDK 6 embed and its doEmbed call', () => {
    const fixture = loadFixture('ai-v6-embed');
    expect(mapSpan(fixture.span('ai.embed'), MAPPER_OPTIONS).log).toMatchObject({ config, inputs: { input: 'Paris weather' } });
    expect(mapSpan(fixture.span('ai.embed.doEmbed'), MAPPER_OPTIONS).log).toMatchObject({
      config,
      inputs: { input: ['Paris weather'] },
      prompt_tokens: 6,
    });
  });
});
