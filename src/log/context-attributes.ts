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
  /**
   * The user of the run a span is part of (its nearest ancestor's that named one), stamped when
   * it starts: trusted after every user the span names itself.
   */
  runUser: 'humanloop.run_user_id',
} as const;

/** `humanloop.metadata.<key>`: one key of the log's metadata. */
export const METADATA_ATTRIBUTE_PREFIX = 'humanloop.metadata.';
