import type { Attributes } from '@opentelemetry/api';
import { CONTEXT_ATTRIBUTES, METADATA_ATTRIBUTE_PREFIX } from '../log/context-attributes.js';
import { setOwn } from '../common/own-keys.js';
import { readString } from './attributes.js';

/**
 * What the request's Humanloop context (`humanloop.*` attributes) says beyond the user (identity.ts):
 * its session as metadata, the log's environment, its folder (v5) and metadata of its own.
 */

/** The session the request context names, for `metadata.session_id` (v5 has no sessions). */
export function contextSessionOf(attributes: Attributes): string | undefined {
  return readString(attributes, CONTEXT_ATTRIBUTES.session);
}

export function contextEnvironmentOf(attributes: Attributes): string | undefined {
  return readString(attributes, CONTEXT_ATTRIBUTES.environment);
}

export function contextPathOf(attributes: Attributes): string | undefined {
  return readString(attributes, CONTEXT_ATTRIBUTES.path);
}

/** `humanloop.metadata.<key>` attributes, written into `metadata` as `<key>`. */
export function readContextMetadata(attributes: Attributes, metadata: Record<string, unknown>): void {
  for (const key in attributes) {
    if (!key.startsWith(METADATA_ATTRIBUTE_PREFIX) || key.length === METADATA_ATTRIBUTE_PREFIX.length) continue;
    const value = attributes[key];
    if (value !== undefined) setOwn(metadata, key.slice(METADATA_ATTRIBUTE_PREFIX.length), value);
  }
}
