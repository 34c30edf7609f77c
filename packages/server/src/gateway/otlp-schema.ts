import type { IField, INamespace, IType } from 'protobufjs/light.js';

/**
 * The messages of the OTLP trace service, written from the OTLP specification (opentelemetry-proto
 * 1.x: collector/trace/v1/trace_service.proto, trace/v1/trace.proto, common/v1/common.proto,
 * resource/v1/resource.proto) as a protobufjs JSON descriptor: the field numbers and types of the
 * specification, with the camelCase names protobufjs gives proto fields (which are also OTLP/JSON's
 * names). Plus google.rpc.Status, the body of an OTLP/HTTP error.
 *
 * Left out: `string_value_strindex` and `key_strindex`, which only the profiles signal sets (it
 * shares these messages); protobuf skips fields it does not know, so a sender setting them is
 * still read.
 */

function field(id: number, type: string): IField {
  return { id, type };
}

function repeated(id: number, type: string): IField {
  return { id, type, rule: 'repeated' };
}

function message(fields: Record<string, IField>, extra: Omit<IType, 'fields'> = {}): IType {
  return { ...extra, fields };
}

const COMMON = 'opentelemetry.proto.common.v1';
const KEY_VALUE = `${COMMON}.KeyValue`;

const common: INamespace = {
  nested: {
    AnyValue: message(
      {
        stringValue: field(1, 'string'),
        boolValue: field(2, 'bool'),
        intValue: field(3, 'int64'),
        doubleValue: field(4, 'double'),
        arrayValue: field(5, 'ArrayValue'),
        kvlistValue: field(6, 'KeyValueList'),
        bytesValue: field(7, 'bytes'),
      },
      { oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } } },
    ),
    ArrayValue: message({ values: repeated(1, 'AnyValue') }),
    KeyValueList: message({ values: repeated(1, 'KeyValue') }),
    KeyValue: message({ key: field(1, 'string'), value: field(2, 'AnyValue') }),
    InstrumentationScope: message({
      name: field(1, 'string'),
      version: field(2, 'string'),
      attributes: repeated(3, 'KeyValue'),
      droppedAttributesCount: field(4, 'uint32'),
    }),
    EntityRef: message({
      schemaUrl: field(1, 'string'),
      type: field(2, 'string'),
      idKeys: repeated(3, 'string'),
      descriptionKeys: repeated(4, 'string'),
    }),
  },
};

const resource: INamespace = {
  nested: {
    Resource: message({
      attributes: repeated(1, KEY_VALUE),
      droppedAttributesCount: field(2, 'uint32'),
      entityRefs: repeated(3, `${COMMON}.EntityRef`),
    }),
  },
};

const span = message(
  {
    traceId: field(1, 'bytes'),
    spanId: field(2, 'bytes'),
    traceState: field(3, 'string'),
    parentSpanId: field(4, 'bytes'),
    flags: field(16, 'fixed32'),
    name: field(5, 'string'),
    kind: field(6, 'SpanKind'),
    startTimeUnixNano: field(7, 'fixed64'),
    endTimeUnixNano: field(8, 'fixed64'),
    attributes: repeated(9, KEY_VALUE),
    droppedAttributesCount: field(10, 'uint32'),
    events: repeated(11, 'Event'),
    droppedEventsCount: field(12, 'uint32'),
    links: repeated(13, 'Link'),
    droppedLinksCount: field(14, 'uint32'),
    status: field(15, 'Status'),
  },
  {
    nested: {
      SpanKind: {
        values: {
          SPAN_KIND_UNSPECIFIED: 0,
          SPAN_KIND_INTERNAL: 1,
          SPAN_KIND_SERVER: 2,
          SPAN_KIND_CLIENT: 3,
          SPAN_KIND_PRODUCER: 4,
          SPAN_KIND_CONSUMER: 5,
        },
      },
      Event: message({
        timeUnixNano: field(1, 'fixed64'),
        name: field(2, 'string'),
        attributes: repeated(3, KEY_VALUE),
        droppedAttributesCount: field(4, 'uint32'),
      }),
      Link: message({
        traceId: field(1, 'bytes'),
        spanId: field(2, 'bytes'),
        traceState: field(3, 'string'),
        attributes: repeated(4, KEY_VALUE),
        droppedAttributesCount: field(5, 'uint32'),
        flags: field(6, 'fixed32'),
      }),
    },
  },
);

const trace: INamespace = {
  nested: {
    ResourceSpans: message({
      resource: field(1, 'opentelemetry.proto.resource.v1.Resource'),
      scopeSpans: repeated(2, 'ScopeSpans'),
      schemaUrl: field(3, 'string'),
    }),
    ScopeSpans: message({
      scope: field(1, `${COMMON}.InstrumentationScope`),
      spans: repeated(2, 'Span'),
      schemaUrl: field(3, 'string'),
    }),
    Span: span,
    // Field 1 is reserved: it held an earlier, longer list of status codes.
    Status: message(
      { message: field(2, 'string'), code: field(3, 'StatusCode') },
      { nested: { StatusCode: { values: { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 } } } },
    ),
  },
};

const traceService: INamespace = {
  nested: {
    ExportTraceServiceRequest: message({ resourceSpans: repeated(1, 'opentelemetry.proto.trace.v1.ResourceSpans') }),
    ExportTraceServiceResponse: message({ partialSuccess: field(1, 'ExportTracePartialSuccess') }),
    ExportTracePartialSuccess: message({ rejectedSpans: field(1, 'int64'), errorMessage: field(2, 'string') }),
  },
};

/** google.rpc.Status (code, message; its `details` are not used). */
const rpc: INamespace = {
  nested: { Status: message({ code: field(1, 'int32'), message: field(2, 'string') }) },
};

function v1(namespace: INamespace): INamespace {
  return { nested: { v1: namespace } };
}

export const OTLP_TRACE_SCHEMA: INamespace = {
  nested: {
    opentelemetry: {
      nested: {
        proto: {
          nested: {
            common: v1(common),
            resource: v1(resource),
            trace: v1(trace),
            collector: { nested: { trace: v1(traceService) } },
          },
        },
      },
    },
    google: { nested: { rpc } },
  },
};

/** Where the messages the gateway reads and writes are in the schema. */
export const OTLP_MESSAGES = {
  request: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
  response: 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
  rpcStatus: 'google.rpc.Status',
} as const;
