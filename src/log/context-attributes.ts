/**
 * The span attributes that carry a request's Humanloop context (set by `withHumanloop`, read from
 * W3C baggage, or written by an application in any language): stamped on spans when they start,
 * read first by the mapping.
 */
export const CONTEXT_ATTRIBUTES = {
  user: 'humanloop.user_id',
  session: 'humanloop.session_id',
  path: 'humanloop.path',
  environment: 'humanloop.environment',
} as const;

/** `humanloop.metadata.<key>`: one key of the log's metadata. */
export const METADATA_ATTRIBUTE_PREFIX = 'humanloop.metadata.';
