import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '../common/otel.js';

/** What a log takes from the span's resource: the same for every span of a provider. */
export interface ResourceFacts {
  /** `service.name`, unless it is the SDK's `unknown_service` fallback. */
  service?: string;
  /** `deployment.environment.name`, else the older `deployment.environment`. */
  environment?: string;
  /** `service.version`. */
  release?: string;
}

const NO_FACTS: ResourceFacts = Object.freeze({});

/**
 * Read once per resource: the SDK hands every span of a provider the same settled attributes
 * object (a resource whose attributes are still settling gives a new one each time, read anew).
 */
const known = new WeakMap<Attributes, ResourceFacts>();

export function resourceFacts(span: ReadableSpan): ResourceFacts {
  const attributes = span.resource?.attributes;
  if (typeof attributes !== 'object' || attributes === null) return NO_FACTS;
  let facts = known.get(attributes);
  if (!facts) {
    facts = readFacts(attributes);
    known.set(attributes, facts);
  }
  return facts;
}

function readFacts(attributes: Attributes): ResourceFacts {
  const facts: ResourceFacts = {};
  const service = text(attributes['service.name']);
  if (service !== undefined && !service.startsWith('unknown_service')) facts.service = service;
  const environment = text(attributes['deployment.environment.name']) ?? text(attributes['deployment.environment']);
  if (environment) facts.environment = environment;
  const release = text(attributes['service.version']);
  if (release) facts.release = release;
  return facts;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
