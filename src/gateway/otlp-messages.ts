/**
 * The OTLP trace service's request and response messages, as protobufjs code that the
 * OpenTelemetry JS project generates from the official OTLP definitions and ships in
 * `@opentelemetry/otlp-transformer`. 0.216 is the last release of that package whose generated
 * code holds the trace service (later ones write trace requests by hand and read none), hence
 * the dependency's range.
 */
import generated from '@opentelemetry/otlp-transformer/build/src/generated/root.js';

/** What the gateway uses of a generated message class; the file's own types say only "a Root". */
export interface OtlpMessageType {
  decode(bytes: Uint8Array): object;
  encode(message: object): { finish(): Uint8Array };
  fromObject(value: Record<string, unknown>): object;
  toObject(message: object, options: { longs: StringConstructor }): Record<string, unknown>;
}

interface TraceService {
  ExportTraceServiceRequest: OtlpMessageType;
  ExportTraceServiceResponse: OtlpMessageType;
}

const service = (generated as unknown as { opentelemetry: { proto: { collector: { trace: { v1: TraceService } } } } })
  .opentelemetry.proto.collector.trace.v1;

export const { ExportTraceServiceRequest, ExportTraceServiceResponse } = service;
