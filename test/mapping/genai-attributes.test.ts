import * as conventions from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import * as ours from '../../src/mapping/genai-attributes.js';

describe('the GenAI attribute names the mapping reads', () => {
  it('are spelled as the semantic conventions package spells the ones it still defines', () => {
    const defined = conventions as unknown as Record<string, string | undefined>;
    const known = Object.entries(ours).filter(([name]) => defined[name] !== undefined);
    // Every name is defined there today; a later release may drop a deprecated one we still read.
    expect(known.length).toBeGreaterThan(40);
    for (const [name, value] of known) expect(value, name).toBe(defined[name]);
  });
});
