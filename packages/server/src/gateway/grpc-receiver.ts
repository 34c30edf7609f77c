import { Metadata, Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall, type ServiceDefinition } from '@grpc/grpc-js';
import { describeError, logger } from '../common/diag.js';
import { hasBearerToken } from './auth.js';
import { encodeResponse } from './otlp-codec.js';
import type { SpanIntake } from './span-intake.js';

/**
 * OTLP/gRPC: the trace service's `Export`, which is what the OpenTelemetry Collector's OTLP and
 * loadbalancing exporters speak. Bodies are decoded by the same intake as OTLP/HTTP; refusals
 * carry the codes OTLP clients act on (UNAVAILABLE is retried with backoff).
 */
export interface GrpcSettings {
  port: number;
  host: string;
  token: string | undefined;
  maxBodyBytes: number;
  retryAfterSeconds: number;
}

export interface GrpcReceiver {
  readonly port: number;
  close(): Promise<void>;
}

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** The service with raw bytes in and out: decoding is the intake's job. */
const TRACE_SERVICE: ServiceDefinition = {
  Export: {
    path: EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: (value: Buffer) => value,
    requestDeserialize: (bytes: Buffer) => bytes,
    responseSerialize: (value: Uint8Array) => Buffer.from(value),
    responseDeserialize: (bytes: Buffer) => bytes,
    originalName: 'export',
  },
};

export async function startGrpcReceiver(intake: SpanIntake, settings: GrpcSettings): Promise<GrpcReceiver> {
  const server = new Server({ 'grpc.max_receive_message_length': settings.maxBodyBytes });
  server.addService(TRACE_SERVICE, {
    Export: (call: ServerUnaryCall<Buffer, Uint8Array>, callback: sendUnaryData<Uint8Array>) => {
      try {
        answer(intake, settings, call, callback);
      } catch (error) {
        logger.error(`gateway: internal error handling a gRPC request: ${describeError(error)}`);
        callback({ code: status.INTERNAL, details: 'internal error' });
      }
    },
  });
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${settings.port}`, ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
      }),
  };
}

function answer(intake: SpanIntake, settings: GrpcSettings, call: ServerUnaryCall<Buffer, Uint8Array>, callback: sendUnaryData<Uint8Array>): void {
  const header = call.metadata.get('authorization')[0];
  if (settings.token !== undefined && !hasBearerToken(typeof header === 'string' ? header : undefined, settings.token)) {
    intake.refused();
    return callback({ code: status.UNAUTHENTICATED, details: 'a valid bearer token is required' });
  }
  const outcome = intake.take(call.request, 'protobuf');
  if (outcome.kind === 'malformed') return callback({ code: status.INVALID_ARGUMENT, details: outcome.problem });
  if (outcome.kind === 'throttled') {
    const metadata = new Metadata();
    metadata.set('retry-after', String(settings.retryAfterSeconds));
    return callback({ code: status.UNAVAILABLE, details: outcome.refusal.problem, metadata });
  }
  callback(null, encodeResponse('protobuf', outcome.partial) as Uint8Array);
}
