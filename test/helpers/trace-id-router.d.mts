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

/** A protobufjs message type: ExportTraceServiceRequest from src/gateway/otlp-messages. */
export interface MessageType {
  decode(bytes: Uint8Array): object;
  encode(message: object): { finish(): Uint8Array };
}

export function protobufCodec(type: MessageType): RequestCodec;

/** A router to the gateways at these base URLs: `http://host:port` (OTLP/HTTP) or `grpc://host:port` (OTLP/gRPC). */
export function startTraceIdRouter(backends: string[], codec: RequestCodec): Promise<TraceIdRouter>;
