import type { Attributes, HrTime, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';
import type { ReadableSpan } from 'humanloop-otel-exporter';
import { attributes, enumValue, hrTime, idHex, integer, isZeroId, nanos, text } from './otlp-values.js';

/**
 * An ExportTraceServiceRequest (as decoded from protobuf or parsed from JSON, camelCase fields)
 * → spans in the shape an OpenTelemetry SDK hands its exporters, which is what the Humanloop
 * exporter reads. Pure: no I/O, the request is not changed. A span that cannot be read (a
 * missing or malformed id) is refused and counted, and the rest of the request goes on.
 */

export interface ConvertedRequest {
  spans: GatewaySpan[];
  /** Spans refused, and why the first one was. */
  rejected: number;
  firstProblem: string | undefined;
}

const SPAN_KIND_NAMES = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
] as const;
const STATUS_CODE_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'] as const;
/** Span.flags bits 8 and 9: whether the parent's remoteness is known, and whether it is remote. */
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;
const SAMPLED = 1;

type Loose = Record<string, unknown>;

interface SharedParts {
  resource: { attributes: Attributes; droppedAttributesCount: number };
  instrumentationScope: { name: string; version?: string; schemaUrl?: string };
}

/** One received span, read-only, with the fields of an SDK `ReadableSpan`. */
export class GatewaySpan implements ReadableSpan {
  readonly ended = true;
  constructor(
    private readonly _context: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    readonly name: string,
    readonly kind: SpanKind,
    readonly startTime: HrTime,
    readonly endTime: HrTime,
    readonly duration: HrTime,
    readonly status: SpanStatus,
    readonly attributes: Attributes,
    readonly events: Array<{ name: string; time: HrTime; attributes: Attributes; droppedAttributesCount: number }>,
    readonly links: Array<{ context: SpanContext; attributes: Attributes; droppedAttributesCount: number }>,
    readonly resource: SharedParts['resource'],
    readonly instrumentationScope: SharedParts['instrumentationScope'],
    readonly droppedAttributesCount: number,
    readonly droppedEventsCount: number,
    readonly droppedLinksCount: number,
  ) {}

  spanContext(): SpanContext {
    return this._context;
  }
}

export function convertRequest(request: unknown): ConvertedRequest {
  const result: ConvertedRequest = { spans: [], rejected: 0, firstProblem: undefined };
  for (const resourceSpans of list(field(request, 'resourceSpans'))) {
    const resource = readResource(field(resourceSpans, 'resource'));
    for (const scopeSpans of list(field(resourceSpans, 'scopeSpans'))) {
      const shared: SharedParts = { resource, instrumentationScope: readScope(field(scopeSpans, 'scope'), field(scopeSpans, 'schemaUrl')) };
      for (const span of list(field(scopeSpans, 'spans'))) {
        const converted = convertSpan(span, shared);
        if (typeof converted === 'string') {
          result.rejected++;
          result.firstProblem ??= converted;
        } else result.spans.push(converted);
      }
    }
  }
  return result;
}

/** The span, or why it is refused. */
function convertSpan(span: unknown, shared: SharedParts): GatewaySpan | string {
  if (typeof span !== 'object' || span === null) return 'a span is not an object';
  const s = span as Loose;
  const traceId = idHex(s.traceId, 16);
  const spanId = idHex(s.spanId, 8);
  const parentId = idHex(s.parentSpanId, 8);
  if (!traceId || isZeroId(traceId)) return 'a span has a missing or malformed traceId (16 bytes, hex in JSON)';
  if (!spanId || isZeroId(spanId)) return 'a span has a missing or malformed spanId (8 bytes, hex in JSON)';
  if (parentId === undefined) return 'a span has a malformed parentSpanId (8 bytes, hex in JSON)';
  const start = nanos(s.startTimeUnixNano);
  const end = nanos(s.endTimeUnixNano);
  if (start === undefined || end === undefined) return 'a span has an unreadable start or end time';
  const flags = integer(s.flags);
  const context = spanContext(traceId, spanId, flags, false);
  const parent = parentId === '' || isZeroId(parentId) ? undefined : spanContext(traceId, parentId, flags, (flags & HAS_IS_REMOTE) !== 0 && (flags & IS_REMOTE) !== 0);
  return new GatewaySpan(
    context,
    parent,
    text(s.name),
    spanKind(s.kind),
    hrTime(start),
    hrTime(end),
    hrTime(end > start ? end - start : 0n),
    readStatus(s.status),
    attributes(s.attributes),
    list(s.events).map(readEvent),
    readLinks(s.links),
    shared.resource,
    shared.instrumentationScope,
    integer(s.droppedAttributesCount),
    integer(s.droppedEventsCount),
    integer(s.droppedLinksCount),
  );
}

/** The W3C trace state is not carried over: nothing the exporter maps reads it. */
function spanContext(traceId: string, spanId: string, flags: number, isRemote: boolean): SpanContext {
  const traceFlags = flags === 0 ? SAMPLED : flags & 0xff;
  return { traceId, spanId, traceFlags, isRemote };
}

/** OTLP numbers kinds from UNSPECIFIED = 0; the OTel API from INTERNAL = 0. */
function spanKind(value: unknown): SpanKind {
  const kind = enumValue(value, SPAN_KIND_NAMES);
  return (kind >= 2 && kind <= 5 ? kind - 1 : 0);
}

function readStatus(value: unknown): SpanStatus {
  const code = enumValue(field(value, 'code'), STATUS_CODE_NAMES);
  const message = text(field(value, 'message'));
  const status: SpanStatus = { code: code >= 0 && code <= 2 ? code : 0 };
  if (message !== '') status.message = message;
  return status;
}

function readEvent(value: unknown): GatewaySpan['events'][number] {
  return {
    name: text(field(value, 'name')),
    time: hrTime(nanos(field(value, 'timeUnixNano')) ?? 0n),
    attributes: attributes(field(value, 'attributes')),
    droppedAttributesCount: integer(field(value, 'droppedAttributesCount')),
  };
}

/** Links with unreadable ids are left out: they point nowhere. */
function readLinks(value: unknown): GatewaySpan['links'] {
  const links: GatewaySpan['links'] = [];
  for (const link of list(value)) {
    const traceId = idHex(field(link, 'traceId'), 16);
    const spanId = idHex(field(link, 'spanId'), 8);
    if (!traceId || !spanId) continue;
    links.push({
      context: spanContext(traceId, spanId, integer(field(link, 'flags')), true),
      attributes: attributes(field(link, 'attributes')),
      droppedAttributesCount: integer(field(link, 'droppedAttributesCount')),
    });
  }
  return links;
}

function readResource(value: unknown): SharedParts['resource'] {
  return { attributes: attributes(field(value, 'attributes')), droppedAttributesCount: integer(field(value, 'droppedAttributesCount')) };
}

function readScope(value: unknown, schemaUrl: unknown): SharedParts['instrumentationScope'] {
  const scope: SharedParts['instrumentationScope'] = { name: text(field(value, 'name')) };
  const version = text(field(value, 'version'));
  if (version !== '') scope.version = version;
  if (text(schemaUrl) !== '') scope.schemaUrl = text(schemaUrl);
  return scope;
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Loose)[name] : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}
