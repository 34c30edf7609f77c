import type { INamespace } from 'protobufjs/light.js';

export interface RequestCodec {
  decode(bytes: Uint8Array): Record<string, unknown>;
  encode(request: Record<string, unknown>): Uint8Array;
}

export interface TraceIdRouter {
  /** Senders post to `${url}/v1/traces`. */
  url: string;
  /** Spans forwarded to each backend, in the order of `backends`. */
  forwarded: number[];
  close(): Promise<void>;
}

export function protobufCodec(protobuf: typeof import('protobufjs/light.js'), descriptor: INamespace): RequestCodec;

/** A router to the gateways at these base URLs: `http://host:port` (OTLP/HTTP) or `grpc://host:port` (OTLP/gRPC). */
export function startTraceIdRouter(backends: string[], codec: RequestCodec): Promise<TraceIdRouter>;
