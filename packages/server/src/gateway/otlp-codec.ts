import { ExportTraceServiceRequest, ExportTraceServiceResponse, RpcStatus } from './otlp-messages.js';

/**
 * The OTLP/HTTP wire formats of the trace service: requests in, responses out, in binary
 * protobuf (with the gateway's own schema of the OTLP messages) or JSON. Decoding answers with
 * data: the request as a plain object with camelCase fields, or what is wrong.
 */

export type OtlpFormat = 'protobuf' | 'json';

export type Decoded = { ok: true; request: unknown } | { ok: false; problem: string };

export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeRequest(body: Uint8Array, format: OtlpFormat): Decoded {
  return format === 'protobuf' ? decodeProtobuf(body) : decodeJson(body);
}

function decodeProtobuf(body: Uint8Array): Decoded {
  try {
    const message = ExportTraceServiceRequest.decode(body);
    // 64-bit integers as decimal strings (no precision lost); ids and bytes stay Uint8Array.
    return { ok: true, request: ExportTraceServiceRequest.toObject(message, { longs: String }) };
  } catch (error) {
    return { ok: false, problem: `the body is not an ExportTraceServiceRequest: ${errorText(error)}` };
  }
}

function decodeJson(body: Uint8Array): Decoded {
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(body));
  } catch {
    return { ok: false, problem: 'the body is not valid UTF-8 JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, problem: 'the body is not an ExportTraceServiceRequest object' };
  }
  return { ok: true, request: value };
}

/** An ExportTraceServiceResponse; partial success only when spans were refused. */
export function encodeResponse(format: OtlpFormat, partial: PartialSuccess | undefined): Uint8Array | string {
  const body = partial === undefined || partial.rejectedSpans === 0 ? {} : { partialSuccess: partial };
  if (format === 'json') return JSON.stringify(body);
  return ExportTraceServiceResponse.encode(ExportTraceServiceResponse.fromObject(body)).finish();
}

/** The body of an error response: a google.rpc.Status with a gRPC code and a message. */
export function encodeStatus(format: OtlpFormat, code: number, message: string): Uint8Array | string {
  if (format === 'json') return JSON.stringify({ code, message });
  return RpcStatus.encode(RpcStatus.fromObject({ code, message })).finish();
}

function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}
