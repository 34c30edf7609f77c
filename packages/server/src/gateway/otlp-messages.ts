/**
 * The OTLP trace service's messages, built by protobufjs from the gateway's own schema
 * (otlp-schema.ts). Works with protobufjs 7 and 8 (`protobufjs/light` reads JSON descriptors in both).
 */
import protobuf from 'protobufjs/light.js';
import { OTLP_MESSAGES, OTLP_TRACE_SCHEMA } from './otlp-schema.js';

const root = protobuf.Root.fromJSON(OTLP_TRACE_SCHEMA);

export const ExportTraceServiceRequest = root.lookupType(OTLP_MESSAGES.request);
export const ExportTraceServiceResponse = root.lookupType(OTLP_MESSAGES.response);
/** google.rpc.Status, the body of an OTLP/HTTP error response. */
export const RpcStatus = root.lookupType(OTLP_MESSAGES.rpcStatus);
