import { describe, expect, it } from 'vitest';
import { mapSpan } from '../../src/mapping/map-span.js';
import { loadFixture } from '../helpers/fixtures.js';
import { MAPPER_OPTIONS } from '../helpers/spans.js';

// A ChatMessage holds text and images. GenAI message parts it cannot hold (1.38: reasoning, and
// uri, file and blob parts of other modalities) are kept in the log's metadata instead.
describe('GenAI message parts a ChatMessage cannot hold', () => {
  const fixture = loadFixture('genai-agents');

  it('lists files and non-image data in metadata.attachments (never the data) and keeps the text as the message', () => {
    const log = mapSpan(fixture.span('chat o4-mini'), MAPPER_OPTIONS).log;
    expect(log?.messages).toEqual([
      { role: 'system', content: 'Answer from the documents.' },
      { role: 'user', content: 'Plan the morning. My notes and a voice memo:' },
    ]);
    expect(log?.metadata?.attachments).toEqual([
      { message: 1, type: 'file', modality: 'document', mime_type: 'application/pdf', file_id: 'file-abc123' },
      { message: 1, type: 'blob', modality: 'audio', mime_type: 'audio/wav', bytes: 12 },
    ]);
    expect(JSON.stringify(log)).not.toContain('UklGRiQAAABXQVZF');
  });

  it("keeps the output's reasoning in metadata.reasoning and its text as the output", () => {
    const log = mapSpan(fixture.span('chat o4-mini'), MAPPER_OPTIONS).log;
    expect(log?.metadata?.reasoning).toBe('The Louvre opens first.');
    expect(log?.output).toBe('Start at the Louvre at 9.');
    expect(log?.output_message).toEqual({ role: 'assistant', content: 'Start at the Louvre at 9.' });
  });

  it('leaves out the reasoning of earlier turns, and keeps images as image parts', () => {
    const log = mapSpan(loadFixture('genai-parts').span('chat anthropic.claude-3-5-sonnet'), MAPPER_OPTIONS).log;
    expect(log?.metadata).not.toHaveProperty('reasoning');
    expect(log?.metadata).not.toHaveProperty('attachments');
    expect(log?.messages?.[1]?.content).toEqual([
      { type: 'text', text: 'Plan a day in Paris. Here is a photo.' },
      { type: 'image_url', image_url: { url: 'https://example.com/paris.jpg' } },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
    ]);
  });

  it('keeps neither reasoning nor attachments when content is not captured', () => {
    const log = mapSpan(fixture.span('chat o4-mini'), { ...MAPPER_OPTIONS, captureContent: false }).log;
    expect(log?.metadata).not.toHaveProperty('reasoning');
    expect(log?.metadata).not.toHaveProperty('attachments');
    expect(log?.metadata).toMatchObject({ usage: { reasoning_tokens: 20 } });
  });
});
