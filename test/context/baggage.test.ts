import { context, propagation, type Tracer } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError, HumanloopContextSpanProcessor, HumanloopSpanProcessor, withHumanloop } from '../../src/index.js';
import { contextsBySpanName, startService, useAsyncContext, type LogContext } from '../helpers/context-rig.js';
import { captureDiag } from '../helpers/harness.js';
import { testScope } from '../helpers/scope.js';
import { CHAT_ATTRIBUTES } from '../helpers/spans.js';

/**
 * The request context read from W3C baggage (the processor's `baggage` option) and written to it
 * (withHumanloop's `propagate`): only when asked, only the entries named, bounded.
 */

const scope = testScope();
useAsyncContext();

let diag: ReturnType<typeof captureDiag> | undefined;
afterEach(() => diag?.restore());

/** Starts and ends a chat span named `name` in a context whose baggage holds `entries`. */
function chatInBaggage(tracer: Tracer, name: string, entries: Record<string, string>): void {
  const baggage = propagation.createBaggage(Object.fromEntries(Object.entries(entries).map(([key, value]) => [key, { value }])));
  context.with(propagation.setBaggage(context.active(), baggage), () => tracer.startSpan(name, { attributes: CHAT_ATTRIBUTES }).end());
}

async function logOf(options: ConstructorParameters<typeof HumanloopSpanProcessor>[0], entries: Record<string, string>): Promise<LogContext> {
  const server = await scope.server();
  const { tracer, flush } = startService(scope, server, 'v4', 'service', options);
  chatInBaggage(tracer, 'chat', entries);
  await flush();
  const log = contextsBySpanName(server, 'v4').get('chat');
  if (!log) throw new Error('no log');
  return log;
}

const ENTRIES = { 'humanloop.session_id': 'bag-session', 'user.id': 'bag-user', 'humanloop.metadata.team': 'payments', 'humanloop.environment': 'bag-env' };

describe('the baggage option', () => {
  it('is off by default: baggage entries reach no log', async () => {
    const log = await logOf({}, ENTRIES);
    expect(log.user).toBeUndefined();
    expect(log.environment).toBeUndefined();
    expect(log.metadata).not.toHaveProperty('session_id');
    expect(log.metadata).not.toHaveProperty('team');
  });

  it('true: the humanloop entries, user.id and session.id become the log’s context', async () => {
    const log = await logOf({ baggage: true }, ENTRIES);
    expect(log.user).toBe('bag-user');
    expect(log.session).toBe('bag-session');
    expect(log.environment).toBe('bag-env');
    expect(log.metadata).toMatchObject({ session_id: 'bag-session', team: 'payments' });
  });

  it('a list reads only the entries it names; humanloop.user_id is trusted over user.id', async () => {
    const log = await logOf(
      { baggage: ['session.id', 'humanloop.user_id', 'user.id'] },
      { 'session.id': 'plain-session', 'humanloop.user_id': 'hl-user', 'user.id': 'plain-user', 'humanloop.metadata.team': 'payments', 'humanloop.environment': 'bag-env' },
    );
    expect(log.user).toBe('hl-user');
    expect(log.session).toBe('plain-session');
    expect(log.environment).toBeUndefined();
    expect(log.metadata).not.toHaveProperty('team');
  });

  it('skips a value longer than 256 characters whole, reads at most 32 metadata entries, and never puts a value in diag', async () => {
    diag = captureDiag();
    const long = `secret-${'x'.repeat(300)}`;
    const metadata = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`humanloop.metadata.k${String(i).padStart(2, '0')}`, `v${i}`]));
    const log = await logOf({ baggage: true }, { 'humanloop.user_id': long, 'user.id': 'short-user', ...metadata });
    expect(log.user).toBe('short-user');
    expect(Object.keys(log.metadata).filter((key) => /^k\d\d$/.test(key))).toHaveLength(32);
    expect(diag.messages.some((message) => message.includes('secret-'))).toBe(false);
    expect(diag.messages.some((message) => message.includes('longer than 256'))).toBe(true);
  });

  it('is under withHumanloop in the service itself: its values win field by field, metadata merged by key', async () => {
    const server = await scope.server();
    const { tracer, flush } = startService(scope, server, 'v4', 'service', { baggage: true });
    withHumanloop({ user: 'own-user', metadata: { region: 'eu' } }, () => chatInBaggage(tracer, 'chat', ENTRIES));
    await flush();
    const log = contextsBySpanName(server, 'v4').get('chat');
    expect(log?.user).toBe('own-user');
    expect(log?.session).toBe('bag-session');
    expect(log?.metadata).toMatchObject({ region: 'eu', team: 'payments' });
  });

  it('names it does not know throw a ConfigurationError at construction', () => {
    expect(() => new HumanloopSpanProcessor({ apiKey: 'k', baggage: ['session.id', 'tenant'] })).toThrow(ConfigurationError);
    expect(() => new HumanloopContextSpanProcessor({ baggage: ['humanloop.user'] })).toThrow(ConfigurationError);
    expect(() => new HumanloopContextSpanProcessor({ baggage: ['humanloop.metadata.*', 'user.id'] })).not.toThrow();
  });
});

describe('withHumanloop’s propagate', () => {
  const ownEntries = () =>
    (propagation.getBaggage(context.active())?.getAllEntries() ?? []).filter(([name]) => name.startsWith('humanloop.')).map(([name, entry]) => [name, entry.value]);

  it('puts nothing in baggage unless asked; asked, the merged values, which an inner call can take back', () => {
    expect(withHumanloop({ user: 'u', sessionId: 's' }, ownEntries)).toEqual([]);
    withHumanloop({ user: 'u', sessionId: 's', metadata: { seats: 3 }, propagate: true }, () => {
      expect(ownEntries()).toEqual([
        ['humanloop.user_id', 'u'],
        ['humanloop.session_id', 's'],
        ['humanloop.metadata.seats', '3'],
      ]);
      expect(withHumanloop({ user: 'inner' }, ownEntries)).toContainEqual(['humanloop.user_id', 'inner']);
      expect(withHumanloop({ user: 'inner', propagate: false }, ownEntries)).toEqual([]);
    });
  });
});
