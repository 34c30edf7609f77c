import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { afterEach, describe, expect, it } from 'vitest';
import { ExportLedger } from '../../src/ledger/export-ledger.js';
import { HumanloopExportError, type ExportErrorReason } from '../../src/common/errors.js';
import { captureDiag } from '../helpers/harness.js';

/**
 * The export ledger alone: each export is called back exactly once. Every callback here is the
 * test's own, counting its calls: nothing between the ledger and the count.
 */

/** An export's deadline on the exporter's monotonic clock, and how long past it the ledger waits for its logs. */
const DEADLINE = 100_000;
const GRACE = 5_000;

/** An export opened in `ledger`, with a callback that records every call. */
function openExport(ledger: ExportLedger, deadline = DEADLINE) {
  const calls: ExportResult[] = [];
  const id = ledger.open((result) => calls.push(result), deadline);
  return { id, calls };
}

/** An export opened and sealed with `pending` logs to wait for. */
function sealedExport(ledger: ExportLedger, pending: number, deadline = DEADLINE) {
  const opened = openExport(ledger, deadline);
  for (let i = 0; i < pending; i++) ledger.expect(opened.id);
  ledger.seal(opened.id);
  return opened;
}

/** The reason of each failed call back. */
function reasons(calls: ExportResult[]): Array<ExportErrorReason | undefined> {
  return calls.map((result) => (result.error as HumanloopExportError | undefined)?.reason);
}

const error = (reason: ExportErrorReason, message = `failed: ${reason}`) => new HumanloopExportError(reason, message);

describe('ExportLedger: calling back', () => {
  it('calls back at once, successfully, an export sealed with nothing pending, and then forgets it', () => {
    const ledger = new ExportLedger();
    const { id, calls } = openExport(ledger);
    expect(ledger.deadlineOf(id)).toBe(DEADLINE);
    ledger.seal(id);
    expect(calls).toEqual([{ code: ExportResultCode.SUCCESS }]);
    expect(ledger.openCount).toBe(0);
    expect(ledger.deadlineOf(id)).toBeUndefined();
    // Whatever comes for it afterwards changes nothing.
    ledger.expect(id);
    ledger.letGo(id, error('unauthorized'));
    ledger.seal(id);
    ledger.expire(DEADLINE + 60_000);
    ledger.closeAll();
    expect(calls).toHaveLength(1);
    expect(ledger.nextExpiry()).toBeUndefined();
  });

  it('calls back when the last pending log of a sealed export is let go of, not before', () => {
    const ledger = new ExportLedger();
    const { id, calls } = sealedExport(ledger, 2);
    ledger.letGo(id, undefined);
    expect(calls).toEqual([]);
    ledger.letGo(id, undefined);
    expect(calls).toEqual([{ code: ExportResultCode.SUCCESS }]);
    ledger.letGo(id, undefined);
    ledger.expect(id);
    ledger.closeAll();
    expect(calls).toHaveLength(1);
  });

  it('does not call back an export not sealed, even with nothing pending', () => {
    const ledger = new ExportLedger();
    const { id, calls } = openExport(ledger);
    ledger.expect(id);
    ledger.letGo(id, undefined);
    expect(calls).toEqual([]);
    // A log expected after one was let go of (a log released later joins its export).
    ledger.expect(id);
    ledger.seal(id);
    expect(calls).toEqual([]);
    ledger.letGo(id, undefined);
    expect(calls).toEqual([{ code: ExportResultCode.SUCCESS }]);
  });

  it('keeps exports apart: letting go of one export\'s log calls back no other', () => {
    const ledger = new ExportLedger();
    const first = sealedExport(ledger, 1);
    const second = sealedExport(ledger, 1);
    expect(second.id).not.toBe(first.id);
    ledger.letGo(second.id, undefined);
    expect(first.calls).toEqual([]);
    expect(second.calls).toHaveLength(1);
    expect(ledger.openCount).toBe(1);
  });
});

describe('ExportLedger: deadlines', () => {
  it('fails an export still waiting once its deadline and the grace after it have passed, saying how many logs it waited for', () => {
    const ledger = new ExportLedger();
    const { id, calls } = sealedExport(ledger, 2);
    expect(ledger.nextExpiry()).toBe(DEADLINE + GRACE);
    ledger.expire(DEADLINE + GRACE - 1);
    expect(calls).toEqual([]);
    ledger.expire(DEADLINE + GRACE);
    expect(calls).toHaveLength(1);
    expect(calls[0].code).toBe(ExportResultCode.FAILED);
    expect(calls[0].error).toMatchObject({ reason: 'timeout', logs: 2 });
    expect(calls[0].error?.message).toContain('2 logs');
    // Its logs let go of later change nothing.
    ledger.letGo(id, undefined);
    ledger.letGo(id, undefined);
    ledger.expire(DEADLINE + 60_000);
    expect(calls).toHaveLength(1);
    expect(ledger.nextExpiry()).toBeUndefined();
  });

  it('expires exports by their own deadlines: one opened later with an earlier deadline goes first', () => {
    const ledger = new ExportLedger();
    const late = sealedExport(ledger, 1, 30_000);
    const early = sealedExport(ledger, 1, 10_000);
    expect(ledger.nextExpiry()).toBe(10_000 + GRACE);
    ledger.expire(10_000 + GRACE);
    expect(reasons(early.calls)).toEqual(['timeout']);
    expect(late.calls).toEqual([]);
    expect(ledger.nextExpiry()).toBe(30_000 + GRACE);
    ledger.expire(30_000 + GRACE);
    expect(late.calls).toHaveLength(1);
    expect(early.calls).toHaveLength(1);
  });

  it('expires an export not sealed yet (its spans were never all worked through)', () => {
    const ledger = new ExportLedger();
    const { calls } = openExport(ledger);
    ledger.expire(DEADLINE + GRACE);
    expect(reasons(calls)).toEqual(['timeout']);
  });

  it('calls back every export still open at shutdown, once, as failed by the shutdown', () => {
    const ledger = new ExportLedger();
    const first = sealedExport(ledger, 2);
    const second = openExport(ledger);
    ledger.closeAll();
    expect(first.calls).toHaveLength(1);
    expect(first.calls[0].error).toMatchObject({ reason: 'shutdown', logs: 2 });
    expect(reasons(second.calls)).toEqual(['shutdown']);
    expect(ledger.openCount).toBe(0);
    ledger.closeAll();
    ledger.expire(DEADLINE + 60_000);
    expect(first.calls).toHaveLength(1);
    expect(second.calls).toHaveLength(1);
  });
});

describe('ExportLedger: what an export reports', () => {
  it('reports the most severe reason its logs failed for, the first error of that reason, and the counts', () => {
    const ledger = new ExportLedger();
    const { id, calls } = sealedExport(ledger, 5);
    ledger.letGo(id, error('timeout'));
    ledger.letGo(id, error('unauthorized', 'Humanloop refused the API key (first)'));
    ledger.letGo(id, error('unauthorized', 'Humanloop refused the API key (second)'));
    ledger.letGo(id, error('unreachable'));
    ledger.letGo(id, undefined);
    expect(calls).toHaveLength(1);
    expect(calls[0].code).toBe(ExportResultCode.FAILED);
    const reported = calls[0].error as HumanloopExportError;
    expect(reported.reason).toBe('unauthorized');
    expect(reported.logs).toBe(4);
    expect(reported.message).toBe('4 of 5 logs were not delivered to Humanloop: Humanloop refused the API key (first)');
  });

  it.each([
    [['shutdown', 'internal'], 'internal'],
    [['rejected', 'timeout'], 'timeout'],
    [['timeout', 'unreachable'], 'unreachable'],
    [['unreachable', 'not_configured'], 'not_configured'],
    [['not_configured', 'unauthorized'], 'unauthorized'],
  ] as const)('of %j, reports %s', (failures, expected) => {
    const ledger = new ExportLedger();
    const { id, calls } = sealedExport(ledger, failures.length);
    for (const reason of failures) ledger.letGo(id, error(reason));
    expect(reasons(calls)).toEqual([expected]);
  });

  it('succeeds when its only failures are about single logs (refused or too large), which retrying cannot change', () => {
    const ledger = new ExportLedger();
    const { id, calls } = sealedExport(ledger, 2);
    ledger.letGo(id, error('invalid'));
    ledger.letGo(id, error('too_large'));
    expect(calls).toEqual([{ code: ExportResultCode.SUCCESS }]);
  });

  // Defect: an export expired past its deadline reported `timeout` however its other logs had
  // failed: the unauthorized key that failed them (what to fix first) was not said.
  it('reports the most severe reason when it expires, counting its failed logs with those still on their way', () => {
    const ledger = new ExportLedger();
    const { id, calls } = sealedExport(ledger, 3);
    ledger.letGo(id, error('unauthorized'));
    ledger.expire(DEADLINE + GRACE);
    expect(calls).toHaveLength(1);
    expect(calls[0].error).toMatchObject({ reason: 'unauthorized', logs: 3 });
  });

  // Defect: the same at shutdown: an export called back by closeAll() reported `shutdown`, the
  // least severe reason, although some of its logs had been refused for an unauthorized key.
  it('reports the most severe reason when the exporter shuts down before its logs are settled', () => {
    const ledger = new ExportLedger();
    const { id, calls } = sealedExport(ledger, 2);
    ledger.letGo(id, error('unauthorized'));
    ledger.closeAll();
    expect(calls).toHaveLength(1);
    expect(calls[0].error).toMatchObject({ reason: 'unauthorized', logs: 2 });
  });
});

describe('ExportLedger: a callback that throws', () => {
  let restore: (() => void) | undefined;
  afterEach(() => restore?.());

  it('is reported in diag, is not called again, and the ledger goes on with the other exports', () => {
    const diagnostics = captureDiag();
    restore = diagnostics.restore;
    const ledger = new ExportLedger();
    let thrownCalls = 0;
    const thrower = ledger.open(() => {
      thrownCalls++;
      throw new TypeError('the application failed');
    }, DEADLINE);
    const other = sealedExport(ledger, 1);
    expect(() => ledger.seal(thrower)).not.toThrow();
    expect(thrownCalls).toBe(1);
    expect(diagnostics.messages.filter((message) => message.includes('the export callback threw: TypeError'))).toHaveLength(1);
    // What the application's error said is not repeated in diag.
    expect(diagnostics.messages.join('\n')).not.toContain('the application failed');
    ledger.letGo(other.id, undefined);
    ledger.closeAll();
    expect(thrownCalls).toBe(1);
    expect(other.calls).toEqual([{ code: ExportResultCode.SUCCESS }]);
    expect(ledger.openCount).toBe(0);
  });

  it('throwing during expire() or closeAll() does not keep the other exports from being called back', () => {
    const diagnostics = captureDiag();
    restore = diagnostics.restore;
    const ledger = new ExportLedger();
    const calls: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      ledger.open(() => {
        calls.push(name);
        throw new Error(name);
      }, name === 'c' ? DEADLINE * 2 : DEADLINE);
    }
    ledger.expire(DEADLINE + GRACE);
    expect(calls).toEqual(['a', 'b']);
    ledger.closeAll();
    expect(calls).toEqual(['a', 'b', 'c']);
    expect(diagnostics.messages.filter((message) => message.includes('the export callback threw'))).toHaveLength(3);
  });
});
