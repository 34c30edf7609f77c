import { describe, expect, it } from 'vitest';
import { Fifo } from '../../src/common/fifo.js';

describe('Fifo', () => {
  it('gives items back oldest first, across its compactions', () => {
    const fifo = new Fifo<number>();
    const taken: number[] = [];
    for (let i = 0; i < 5_000; i++) {
      fifo.push(i);
      // Take one in three as items come, so the queue never empties and compacts as it goes.
      if (i % 3 === 2) taken.push(fifo.shift()!, fifo.shift()!);
    }
    expect(fifo.peek()).toBe(taken.length);
    taken.push(...fifo.drain());
    expect(taken).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
    expect(fifo.length).toBe(0);
    expect(fifo.shift()).toBeUndefined();
  });

  it('counts what it holds', () => {
    const fifo = new Fifo<string>();
    fifo.push('a');
    fifo.push('b');
    expect(fifo.length).toBe(2);
    expect(fifo.shift()).toBe('a');
    expect(fifo.length).toBe(1);
    expect(fifo.peek()).toBe('b');
  });
});
