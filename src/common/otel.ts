import {
  createContextKey,
  type Attributes,
  type Context,
  type HrTime,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
} from '@opentelemetry/api';

/**
 * The OpenTelemetry SDK shapes this package works with, written out so that it depends on no
 * SDK line at all: spans, exporters and processors of the 2.x SDK (`@opentelemetry/sdk-trace-base`)
 * and of the 3.x SDK (`@opentelemetry/sdk-trace`) fit them alike. Only `@opentelemetry/api` is
 * imported.
 */

/** A span as a span processor or exporter receives it: the fields read here. */
export interface ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  spanContext(): SpanContext;
  readonly parentSpanContext?: SpanContext;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly events: ReadonlyArray<{ name: string; attributes?: Attributes }>;
  readonly resource?: { readonly attributes: Attributes };
  readonly instrumentationScope: { readonly name: string; readonly version?: string };
}

/** `ExportResultCode` of `@opentelemetry/core` (the same numbers in 2.x and 3.x). */
export const ExportResultCode = { SUCCESS: 0, FAILED: 1 } as const;

export interface ExportResult {
  code: (typeof ExportResultCode)[keyof typeof ExportResultCode];
  error?: Error;
}

export interface SpanExporter {
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

export interface SpanProcessor {
  onStart(span: ReadableSpan, parentContext: Context): void;
  onEnd(span: ReadableSpan): void;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * The key the SDK's `suppressTracing` sets (`@opentelemetry/core` 2.x and 3.x): context keys are
 * `Symbol.for` their description, so this is the same key, and instrumentations that honour
 * suppressed tracing see it.
 */
const SUPPRESS_TRACING_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/** The context with tracing suppressed: requests made in it are not traced. */
export function suppressTracing(context: Context): Context {
  return context.setValue(SUPPRESS_TRACING_KEY, true);
}
