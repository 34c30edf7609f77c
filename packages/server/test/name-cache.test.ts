import { expect, it } from 'vitest';
import { NameCache } from '../src/store/name-cache.js';

it('keeps the most recently used names up to its bound, forgetting the least recently used first', () => {
  const cache = new NameCache(2);
  cache.set('projects', 'a', 'pr_a');
  cache.set('projects', 'b', 'pr_b');
  expect(cache.get('projects', 'a')).toBe('pr_a');
  cache.set('projects', 'c', 'pr_c');
  expect(cache.get('projects', 'b')).toBeUndefined();
  expect([cache.get('projects', 'a'), cache.get('projects', 'c')]).toEqual(['pr_a', 'pr_c']);
  expect(cache.get('sessions', 'a')).toBeUndefined();
});
