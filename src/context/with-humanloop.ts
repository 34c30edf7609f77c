import { context, createContextKey, type Context } from '@opentelemetry/api';
import { registeredGlobally } from '../common/api-globals.js';
import { logger, misconfigured } from '../common/diag.js';
import { setOwn } from '../common/own-keys.js';
import { withBaggageEntries, withoutBaggageEntries } from './baggage-entries.js';
import { boundedMetadata, mergeValues, NO_VALUES, type ContextMetadataValue, type ContextValues } from './context-values.js';

/** What `withHumanloop` sets for the logs made inside its function. */
export interface HumanloopContext {
  /** The end user: the log's `user` (v5) and `metadata.user_id` (v4). */
  user?: string;
  /**
   * The session: `session_reference_id` (v4) of every log whose trace starts inside the function
   * (a child stays in its parent's session), and `metadata.session_id` (v4 and v5; v5 has no sessions).
   */
  sessionId?: string;
  /** Keys added to each log's metadata (at most 32); nested calls merge them by key. */
  metadata?: Readonly<Record<string, ContextMetadataValue>>;
  /** v5: the folder of the logs' files, in place of the project (`path/<model, tool or workflow name>`). */
  path?: string;
  /** The logs' environment, over the `environment` option. */
  environment?: string;
  /**
   * Also carry these values in W3C baggage, so that services this request calls (with the W3C
   * baggage propagator) can read them with the processor's `baggage` option. Baggage goes with
   * every outgoing request, to third parties too. Default: as the enclosing `withHumanloop`, else false.
   */
  propagate?: boolean;
}

interface Scope {
  values: ContextValues;
  propagate: boolean;
}

const CONTEXT_KEY = createContextKey('humanloop-otel-exporter request context');

/**
 * Runs `fn` with a Humanloop context: every log made from a span started inside it (across
 * awaits, timers and promise chains, with an AsyncLocalStorage context manager registered) gets
 * these values. Nested calls merge (the inner value wins per field; metadata by key). Returns
 * what `fn` returns, a promise included.
 */
export function withHumanloop<T>(values: HumanloopContext, fn: () => T): T {
  const active = context.active();
  const outer = scopeIn(active);
  const given = checked(values);
  const propagate = typeof values?.propagate === 'boolean' ? values.propagate : (outer?.propagate ?? false);
  const scope: Scope = { values: mergeValues(outer?.values ?? NO_VALUES, given), propagate };
  let next = active.setValue(CONTEXT_KEY, scope);
  if (propagate) next = withBaggageEntries(next, scope.values);
  else if (outer?.propagate) next = withoutBaggageEntries(next);
  if (!registeredGlobally('context')) {
    misconfigured('withHumanloop: no OpenTelemetry context manager is registered, so its values reach no span; registerHumanloop (or your provider\'s register()) registers one');
  }
  return context.with(next, fn);
}

/** The values `withHumanloop` set in this context (none: empty). */
export function contextValuesIn(ctx: Context): ContextValues {
  return scopeIn(ctx)?.values ?? NO_VALUES;
}

function scopeIn(ctx: Context): Scope | undefined {
  return ctx.getValue(CONTEXT_KEY) as Scope | undefined;
}

const TEXT_FIELDS = [
  ['user', 'user'],
  ['sessionId', 'session'],
  ['path', 'path'],
  ['environment', 'environment'],
] as const;

/** The values as given, without those of the wrong type (said in diag, never quoted). */
function checked(values: HumanloopContext | undefined): ContextValues {
  const result: ContextValues = { metadata: {} };
  if (typeof values !== 'object' || values === null) {
    logger.warn('withHumanloop: its first argument is not an object; no values are set');
    return result;
  }
  for (const [given, field] of TEXT_FIELDS) {
    const value: unknown = values[given];
    if (typeof value === 'string' && value.trim() !== '') result[field] = value;
    else if (value !== undefined) logger.warn(`withHumanloop: ${given} is not a non-empty string and is ignored`);
  }
  if (values.metadata !== undefined) result.metadata = boundedMetadata({}, checkedMetadata(values.metadata));
  return result;
}

function checkedMetadata(metadata: unknown): Record<string, ContextMetadataValue> {
  const kept: Record<string, ContextMetadataValue> = {};
  if (typeof metadata !== 'object' || metadata === null) {
    logger.warn('withHumanloop: metadata is not an object and is ignored');
    return kept;
  }
  let ignored = 0;
  for (const [key, value] of Object.entries(metadata)) {
    if (isMetadataValue(value) && key !== '') setOwn(kept, key, value);
    else ignored++;
  }
  if (ignored > 0) logger.warn(`withHumanloop: ${ignored} metadata values are not strings, finite numbers or booleans and are ignored`);
  return kept;
}

function isMetadataValue(value: unknown): value is ContextMetadataValue {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}
