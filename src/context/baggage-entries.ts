import { propagation, type Baggage, type Context } from '@opentelemetry/api';
import { ConfigurationError } from '../config/config.js';
import { CONTEXT_ATTRIBUTES, METADATA_ATTRIBUTE_PREFIX } from '../log/context-attributes.js';
import { logger } from '../common/diag.js';
import { setOwn } from '../common/own-keys.js';
import { boundedMetadata, NO_VALUES, type ContextMetadataValue, type ContextValues } from './context-values.js';

/**
 * The request's Humanloop context in W3C baggage: entries named as the span attributes
 * (`humanloop.user_id`, `humanloop.session_id`, `humanloop.path`, `humanloop.environment`,
 * `humanloop.metadata.<key>`), and the common `user.id` and `session.id`. Baggage comes from
 * whoever called the service, so it is read only when the application asks, and bounded.
 */

/** Which entries to read: `true` for all of them, or a list of their names (`humanloop.metadata.*` for every metadata entry). */
export type BaggageOption = boolean | readonly string[];

/** The entry names to read, checked. */
export type BaggageSelection = ReadonlySet<string>;

const METADATA_ENTRIES = `${METADATA_ATTRIBUTE_PREFIX}*`;

/** Entries that name one field, most trusted first. */
const FIELD_ENTRIES = {
  user: [CONTEXT_ATTRIBUTES.user, 'user.id'],
  session: [CONTEXT_ATTRIBUTES.session, 'session.id'],
  path: [CONTEXT_ATTRIBUTES.path],
  environment: [CONTEXT_ATTRIBUTES.environment],
} as const;

const KNOWN_ENTRIES: readonly string[] = [...Object.values(FIELD_ENTRIES).flat(), METADATA_ENTRIES];

/** Most baggage entries looked at for metadata (the W3C limit is 180 per header). */
export const MAX_BAGGAGE_ENTRIES = 64;
/** Longest entry value read; a longer one is skipped whole (an id cut short would name someone else). */
export const MAX_BAGGAGE_VALUE_CHARS = 256;

/** The option, checked: undefined when baggage is not read. Names it does not know throw (a programming error). */
export function baggageSelection(option: BaggageOption | undefined): BaggageSelection | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return new Set(KNOWN_ENTRIES);
  if (!Array.isArray(option)) throw new ConfigurationError('baggage must be true, false or a list of entry names');
  const names: readonly unknown[] = option;
  const unknown = names.filter((name) => typeof name !== 'string' || !KNOWN_ENTRIES.includes(name));
  if (unknown.length > 0) {
    throw new ConfigurationError(`baggage: unknown entry names ${unknown.map((name) => JSON.stringify(name)).join(', ')}; known: ${KNOWN_ENTRIES.join(', ')}`);
  }
  return new Set(names as readonly string[]);
}

let saidSkipped = false;

/** The context's values in its baggage, as far as `selection` reads them. */
export function readBaggage(ctx: Context, selection: BaggageSelection): ContextValues {
  const baggage = propagation.getBaggage(ctx);
  if (!baggage) return NO_VALUES;
  const values: ContextValues = { metadata: {} };
  let skipped = 0;
  for (const field of ['user', 'session', 'path', 'environment'] as const) {
    for (const name of FIELD_ENTRIES[field]) {
      if (!selection.has(name)) continue;
      const entry = entryOf(baggage, name);
      if (entry.tooLong) skipped++;
      else if (entry.value !== undefined) {
        values[field] = entry.value;
        break;
      }
    }
  }
  if (selection.has(METADATA_ENTRIES)) skipped += readMetadata(baggage, values.metadata);
  if (skipped > 0 && !saidSkipped) {
    saidSkipped = true;
    logger.debug(`skipped ${skipped} baggage entries longer than ${MAX_BAGGAGE_VALUE_CHARS} characters (said once)`);
  }
  return values;
}

/** Reads the metadata entries into `metadata`; returns how many were skipped as too long. */
function readMetadata(baggage: Baggage, metadata: Record<string, ContextMetadataValue>): number {
  let skipped = 0;
  const found: Record<string, ContextMetadataValue> = {};
  for (const [name, entry] of baggage.getAllEntries().slice(0, MAX_BAGGAGE_ENTRIES)) {
    if (!name.startsWith(METADATA_ATTRIBUTE_PREFIX) || name.length === METADATA_ATTRIBUTE_PREFIX.length) continue;
    if (entry.value.length > MAX_BAGGAGE_VALUE_CHARS) skipped++;
    else if (entry.value !== '') setOwn(found, name.slice(METADATA_ATTRIBUTE_PREFIX.length), entry.value);
  }
  boundedMetadata(metadata, found);
  return skipped;
}

/** An entry's value when it is there, not blank and not too long. */
function entryOf(baggage: Baggage, name: string): { value?: string; tooLong?: true } {
  const value = baggage.getEntry(name)?.value;
  if (value === undefined || value.trim() === '') return {};
  return value.length > MAX_BAGGAGE_VALUE_CHARS ? { tooLong: true } : { value };
}

/** The context with the values as baggage entries (replacing any this package wrote before). */
export function withBaggageEntries(ctx: Context, values: ContextValues): Context {
  let baggage = withoutOwnEntries(propagation.getBaggage(ctx) ?? propagation.createBaggage());
  for (const field of ['user', 'session', 'path', 'environment'] as const) {
    const value = values[field];
    if (value !== undefined) baggage = baggage.setEntry(CONTEXT_ATTRIBUTES[field], { value });
  }
  for (const key of Object.keys(values.metadata)) {
    baggage = baggage.setEntry(`${METADATA_ATTRIBUTE_PREFIX}${key}`, { value: String(values.metadata[key]) });
  }
  return propagation.setBaggage(ctx, baggage);
}

/** The context without the baggage entries this package writes. */
export function withoutBaggageEntries(ctx: Context): Context {
  const baggage = propagation.getBaggage(ctx);
  return baggage ? propagation.setBaggage(ctx, withoutOwnEntries(baggage)) : ctx;
}

function withoutOwnEntries(baggage: Baggage): Baggage {
  const own = baggage.getAllEntries().filter(([name]) => name.startsWith('humanloop.')).map(([name]) => name);
  return own.length > 0 ? baggage.removeEntries(...own) : baggage;
}
