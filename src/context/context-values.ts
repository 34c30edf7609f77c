import type { Attributes } from '@opentelemetry/api';
import { CONTEXT_ATTRIBUTES, METADATA_ATTRIBUTE_PREFIX } from '../log/context-attributes.js';
import { setOwn } from '../common/own-keys.js';

/** A value of the request's metadata: what a span attribute can hold as one value. */
export type ContextMetadataValue = string | number | boolean;

/** A request's Humanloop context, checked: what is stamped on the spans started in it. */
export interface ContextValues {
  user?: string;
  session?: string;
  path?: string;
  environment?: string;
  metadata: Record<string, ContextMetadataValue>;
}

/** Most keys of a request's metadata; keys past it are left out. */
export const MAX_METADATA_KEYS = 32;

export const NO_VALUES: ContextValues = Object.freeze({ metadata: Object.freeze({}) as Record<string, ContextMetadataValue> });

const FIELDS = ['user', 'session', 'path', 'environment'] as const;

/** `inner` over `outer`, field by field; metadata merged by key (inner wins), bounded. */
export function mergeValues(outer: ContextValues, inner: ContextValues): ContextValues {
  const merged: ContextValues = { metadata: boundedMetadata({ ...outer.metadata }, inner.metadata) };
  for (const field of FIELDS) {
    const value = inner[field] ?? outer[field];
    if (value !== undefined) merged[field] = value;
  }
  return merged;
}

/** Whether there is anything to stamp. */
export function isEmpty(values: ContextValues): boolean {
  return FIELDS.every((field) => values[field] === undefined) && Object.keys(values.metadata).length === 0;
}

/** The span attributes that carry the values (see CONTEXT_ATTRIBUTES). */
export function attributesOf(values: ContextValues): Attributes {
  const attributes: Attributes = {};
  for (const field of FIELDS) {
    const value = values[field];
    if (value !== undefined) attributes[CONTEXT_ATTRIBUTES[field]] = value;
  }
  for (const key of Object.keys(values.metadata)) attributes[`${METADATA_ATTRIBUTE_PREFIX}${key}`] = values.metadata[key];
  return attributes;
}

/** `added` written over `metadata`: a key already there is replaced; new keys only while there is room. */
export function boundedMetadata(
  metadata: Record<string, ContextMetadataValue>,
  added: Readonly<Record<string, ContextMetadataValue>>,
): Record<string, ContextMetadataValue> {
  let count = Object.keys(metadata).length;
  for (const key of Object.keys(added)) {
    const known = Object.hasOwn(metadata, key);
    if (!known && count >= MAX_METADATA_KEYS) continue;
    setOwn(metadata, key, added[key]);
    if (!known) count++;
  }
  return metadata;
}
