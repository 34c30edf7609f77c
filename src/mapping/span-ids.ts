import type { ReadableSpan } from '../common/otel.js';

/** The parent's span id: `parentSpanContext` in SDK 2.x, `parentSpanId` in 1.x. */
export function parentSpanId(span: ReadableSpan): string | undefined {
  const legacy = (span as unknown as { parentSpanId?: unknown }).parentSpanId;
  const parent = span.parentSpanContext?.spanId ?? (typeof legacy === 'string' ? legacy : undefined);
  return parent === '' ? undefined : parent;
}

/**
 * The parent this process may log: none when the parent is remote (it came with the request,
 * from another process), since its log will never be sent from here.
 */
export function localParentSpanId(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.isRemote === true ? undefined : parentSpanId(span);
}

/** The span id of a span that may not even be a span (diag messages, ordering): undefined if unreadable. */
export function safeSpanId(span: ReadableSpan): string | undefined {
  try {
    return span.spanContext().spanId;
  } catch {
    return undefined;
  }
}

/** The local parent's span id of a span that may not even be a span: undefined if unreadable. */
export function safeParentSpanId(span: ReadableSpan): string | undefined {
  try {
    return localParentSpanId(span);
  } catch {
    return undefined;
  }
}
