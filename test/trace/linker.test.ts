import { describe, expect, it } from 'vitest';
import { TraceLinker, type Link, type LinkEntry } from '../../src/trace/linker.js';

interface Released {
  spanId: string;
  link: Link;
}

function setup(options: { parentWaitMillis?: number; maxWaitingLogs?: number } = {}) {
  const released: Released[] = [];
  const linker = new TraceLinker<null>({
    parentWaitMillis: options.parentWaitMillis ?? 1000,
    maxWaitingLogs: options.maxWaitingLogs ?? 100,
    onRelease: (entry, link) => released.push({ spanId: entry.spanId, link }),
  });
  const entry = (spanId: string, parentSpanId?: string, arrivedAt = 0, session?: string): LinkEntry<null> => ({
    spanId,
    traceId: 'trace-1',
    parentSpanId,
    session,
    arrivedAt,
    payload: null,
  });
  return { linker, released, entry };
}

describe('TraceLinker', () => {
  it('holds a child until its parent is delivered, then links it with the log id', () => {
    const { linker, released, entry } = setup();
    linker.add(entry('child', 'parent'));
    expect(released).toEqual([]);
    expect(linker.isHeld('child')).toBe(true);
    linker.add(entry('parent', undefined, 0, 'conv-9'));
    expect(released.map((r) => r.spanId)).toEqual(['parent']);
    expect(linker.isHeld('child')).toBe(false);
    linker.settle('parent', true, 'data_parent');
    expect(released[1]).toEqual({
      spanId: 'child',
      link: { parent: { spanId: 'parent', logId: 'data_parent' }, session: 'conv-9' },
    });
  });

  it('links past spans that are not exported, even when they end after the child', () => {
    const { linker, released, entry } = setup();
    linker.add(entry('root', undefined));
    linker.settle('root', true, 'data_root');
    linker.add(entry('llm', 'http'));
    expect(released).toHaveLength(1);
    linker.observeNotExported('http', 'root');
    expect(released[1]?.link.parent).toEqual({ spanId: 'root', logId: 'data_root' });
  });

  it('links the children of a dropped parent to the nearest delivered ancestor', () => {
    const { linker, released, entry } = setup();
    linker.add(entry('grand', undefined));
    linker.settle('grand', true, 'data_grand');
    linker.add(entry('parent', 'grand'));
    linker.add(entry('child', 'parent'));
    linker.settle('parent', false);
    expect(released.find((r) => r.spanId === 'child')?.link.parent?.spanId).toBe('grand');
  });

  it('makes the children of a dropped root session roots in the trace session', () => {
    const { linker, released, entry } = setup();
    linker.add(entry('root', undefined));
    linker.add(entry('child', 'root'));
    linker.settle('root', false);
    expect(released.find((r) => r.spanId === 'child')?.link).toEqual({ parent: undefined, session: 'trace-1' });
  });

  it('releases a child as a root once it has waited parentWaitMillis for a parent that never ended', () => {
    const { linker, released, entry } = setup({ parentWaitMillis: 1000 });
    linker.add(entry('child', 'never-ends', 5000));
    expect(linker.nextExpiry()).toBe(6000);
    linker.releaseExpired(5999);
    expect(released).toEqual([]);
    linker.releaseExpired(6000);
    expect(released).toEqual([{ spanId: 'child', link: { parent: undefined, session: 'trace-1' } }]);
    expect(linker.waitingCount).toBe(0);
  });

  it('counts a child as held while the ancestor it waits for is itself held', () => {
    const { linker, entry } = setup();
    linker.add(entry('parent', 'grandparent-running'));
    linker.add(entry('child', 'parent'));
    expect(linker.isHeld('parent')).toBe(true);
    expect(linker.isHeld('child')).toBe(true);
    linker.add(entry('grandparent-running', undefined));
    expect(linker.isHeld('child')).toBe(false);
  });

  it('does not time out a child whose parent is already on its way', () => {
    const { linker, released, entry } = setup({ parentWaitMillis: 10 });
    linker.add(entry('parent', undefined, 0));
    linker.add(entry('child', 'parent', 0));
    linker.releaseExpired(1_000_000);
    linker.releaseAll();
    expect(released.map((r) => r.spanId)).toEqual(['parent']);
    linker.settle('parent', true, 'data_p');
    expect(released.map((r) => r.spanId)).toEqual(['parent', 'child']);
  });

  it('releases the oldest waiting entries as roots beyond maxWaitingLogs', () => {
    const { linker, released, entry } = setup({ maxWaitingLogs: 2 });
    for (let i = 0; i < 5; i++) linker.add(entry(`c${i}`, `missing${i}`, i));
    expect(linker.waitingCount).toBe(2);
    expect(released.map((r) => r.spanId)).toEqual(['c0', 'c1', 'c2']);
  });
});
