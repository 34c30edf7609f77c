import { describe, expect, it } from 'vitest';
import type { Link } from '../../src/log/unlinked-log.js';
import { TraceLinker, type LinkDecision, type LinkEntry } from '../../src/trace/linker.js';

interface Released {
  spanId: string;
  link: Link;
}

function setup(options: { parentWaitMillis?: number; maxWaitingLogs?: number; exportedNow?: (spanId: string) => boolean } = {}) {
  const released: Released[] = [];
  const opened: string[] = [];
  const linker = new TraceLinker<LinkEntry>({
    parentWaitMillis: options.parentWaitMillis ?? 1000,
    maxWaitingLogs: options.maxWaitingLogs ?? 100,
    exportedNow: options.exportedNow,
  });
  /** Carries out the linker's decisions as the pipeline would: releases recorded, opens noted. */
  const run = (decisions: Array<LinkDecision<LinkEntry>>) => {
    for (const decision of decisions) {
      if (decision.kind === 'release') released.push({ spanId: decision.entry.spanId, link: decision.link });
      if (decision.kind === 'open') opened.push(decision.spanId);
    }
  };
  const entry = (spanId: string, parentSpanId?: string, arrivedAt = 0, session?: string): LinkEntry => ({
    spanId,
    traceId: 'trace-1',
    parentSpanId,
    session,
    createdAt: arrivedAt,
  });
  return { linker, released, opened, entry, run };
}

describe('TraceLinker', () => {
  it('holds a child until its parent is delivered, then links it with the log id', () => {
    const { linker, released, entry, run } = setup();
    run(linker.add(entry('child', 'parent')));
    expect(released).toEqual([]);
    expect(linker.waitMayLast('child')).toBe(true);
    run(linker.add(entry('parent', undefined, 0, 'conv-9')));
    expect(released.map((r) => r.spanId)).toEqual(['parent']);
    expect(linker.waitMayLast('child')).toBe(false);
    run(linker.settle('parent', true, 'data_parent'));
    expect(released[1]).toEqual({
      spanId: 'child',
      link: { parent: { spanId: 'parent', logId: 'data_parent' }, session: 'conv-9' },
    });
  });

  it('links past spans that are not exported, even when they end after the child', () => {
    const { linker, released, entry, run } = setup();
    run(linker.add(entry('root', undefined)));
    run(linker.settle('root', true, 'data_root'));
    run(linker.add(entry('llm', 'http')));
    expect(released).toHaveLength(1);
    run(linker.observeNotExported('http', 'root'));
    expect(released[1]?.link.parent).toEqual({ spanId: 'root', logId: 'data_root' });
  });

  it('links the children of a dropped parent to the nearest delivered ancestor', () => {
    const { linker, released, entry, run } = setup();
    run(linker.add(entry('grand', undefined)));
    run(linker.settle('grand', true, 'data_grand'));
    run(linker.add(entry('parent', 'grand')));
    run(linker.add(entry('child', 'parent')));
    run(linker.settle('parent', false));
    expect(released.find((r) => r.spanId === 'child')?.link.parent?.spanId).toBe('grand');
  });

  it('makes the children of a dropped root session roots in the trace session', () => {
    const { linker, released, entry, run } = setup();
    run(linker.add(entry('root', undefined)));
    run(linker.add(entry('child', 'root')));
    run(linker.settle('root', false));
    expect(released.find((r) => r.spanId === 'child')?.link).toEqual({ parent: undefined, session: 'trace-1' });
  });

  it('releases a child as a root once it has waited parentWaitMillis for a parent that never ended', () => {
    const { linker, released, entry, run } = setup({ parentWaitMillis: 1000 });
    run(linker.add(entry('child', 'never-ends', 5000)));
    expect(linker.nextExpiry()).toBe(6000);
    run(linker.releaseExpired(5999));
    expect(released).toEqual([]);
    run(linker.releaseExpired(6000));
    expect(released).toEqual([{ spanId: 'child', link: { parent: undefined, session: 'trace-1' } }]);
    expect(linker.waitingCount).toBe(0);
  });

  it('counts the wait of a child as lasting while the ancestor it waits for waits itself', () => {
    const { linker, entry, run } = setup();
    run(linker.add(entry('parent', 'grandparent-running')));
    run(linker.add(entry('child', 'parent')));
    expect(linker.waitMayLast('parent')).toBe(true);
    expect(linker.waitMayLast('child')).toBe(true);
    run(linker.add(entry('grandparent-running', undefined)));
    expect(linker.waitMayLast('child')).toBe(false);
  });

  it('does not time out a child whose parent is already on its way', () => {
    const { linker, released, entry, run } = setup({ parentWaitMillis: 10 });
    run(linker.add(entry('parent', undefined, 0)));
    run(linker.add(entry('child', 'parent', 0)));
    run(linker.releaseExpired(1_000_000));
    run(linker.releaseAll());
    expect(released.map((r) => r.spanId)).toEqual(['parent']);
    run(linker.settle('parent', true, 'data_p'));
    expect(released.map((r) => r.spanId)).toEqual(['parent', 'child']);
  });

  it('releases the oldest waiting entries as roots beyond maxWaitingLogs', () => {
    const { linker, released, entry, run } = setup({ maxWaitingLogs: 2 });
    for (let i = 0; i < 5; i++) run(linker.add(entry(`c${i}`, `missing${i}`, i)));
    expect(linker.waitingCount).toBe(2);
    expect(released.map((r) => r.spanId)).toEqual(['c0', 'c1', 'c2']);
  });

  it('asks to open a running parent when a child has waited too long, and links the child under it', () => {
    const { linker, released, opened, entry, run } = setup({ parentWaitMillis: 1000 });
    run(linker.observeStart('agent', undefined, 'exported'));
    run(linker.add(entry('child', 'agent', 0)));
    run(linker.releaseExpired(1000));
    expect(opened).toEqual(['agent']);
    expect(released).toEqual([]);
    run(linker.add(entry('agent', undefined, 1000)));
    run(linker.settle('agent', true, 'data_agent'));
    expect(released.map((r) => [r.spanId, r.link.parent?.spanId])).toEqual([
      ['agent', undefined],
      ['child', 'agent'],
    ]);
  });

  it('releases the children as roots when their running parent cannot be opened', () => {
    const { linker, released, opened, entry, run } = setup();
    run(linker.observeStart('agent', undefined, 'exported'));
    run(linker.add(entry('a', 'agent')));
    run(linker.add(entry('b', 'agent')));
    run(linker.releaseAll());
    expect(opened).toEqual(['agent']);
    run(linker.cannotOpen('agent'));
    expect(released.map((r) => [r.spanId, r.link.parent])).toEqual([
      ['a', undefined],
      ['b', undefined],
    ]);
  });

  it('waits for a running span whose attributes made it exported only after it started', () => {
    const exported = new Set<string>();
    const { linker, released, entry, run } = setup({ exportedNow: (spanId) => exported.has(spanId) });
    run(linker.observeStart('http', undefined, 'unknown'));
    run(linker.observeStart('agent', 'http', 'unknown'));
    exported.add('agent');
    run(linker.add(entry('chat', 'agent')));
    expect(released).toEqual([]);
    expect(linker.waitMayLast('chat')).toBe(true);
    run(linker.add(entry('agent', 'http')));
    expect(released.map((r) => r.spanId)).toEqual(['agent']);
  });

  it('does not hold a later child of a running parent that could not be opened', () => {
    const { linker, released, opened, entry, run } = setup();
    run(linker.observeStart('agent', undefined, 'exported'));
    run(linker.add(entry('a', 'agent')));
    run(linker.releaseAll());
    run(linker.cannotOpen('agent'));
    run(linker.add(entry('b', 'agent')));
    run(linker.releaseAll());
    expect(opened).toEqual(['agent']);
    expect(released.map((r) => [r.spanId, r.link.parent])).toEqual([
      ['a', undefined],
      ['b', undefined],
    ]);
    expect(linker.waitingCount).toBe(0);
  });
});

