import type { IncomingMessage, ServerResponse } from 'node:http';
import { HumanloopSpanExporter, type HumanloopSpanExporterOptions } from 'humanloop-otel-exporter';
import type { HostCheck } from '../common/host-check.js';
import { Admission } from './admission.js';
import { GatewayCounters, type GatewayStats } from './gateway-stats.js';
import type { GrpcReceiver } from './grpc-receiver.js';
import { HttpReceiver } from './http-receiver.js';
import { SpanBatcher } from './span-batcher.js';
import { exportSpans, SpanIntake } from './span-intake.js';

/** How OTLP is taken in: who may send, how much at once, and the exporter the spans go through. */
export interface OtlpIngestOptions {
  exporter: HumanloopSpanExporterOptions;
  hostAllowed: HostCheck;
  /** Senders must send `Authorization: Bearer <token>` (gRPC: the same metadata). */
  token: string | undefined;
  maxBodyBytes?: number;
  maxPendingSpans?: number;
  maxConcurrentRequests?: number;
  retryAfterSeconds?: number;
  batchDelayMillis?: number;
}

/**
 * OTLP trace requests in (HTTP through `handle`, gRPC through `startGrpc`), their spans mapped and
 * delivered by one HumanloopSpanExporter: what the gateway serves on a port of its own and the log
 * server on its own port beside the log API.
 */
export interface OtlpIngest {
  readonly exporter: HumanloopSpanExporter;
  /** `POST /v1/traces`, `GET /health`, `GET /metrics`. */
  handle(req: IncomingMessage, res: ServerResponse): void;
  startGrpc(port: number, host: string): Promise<GrpcReceiver>;
  stats(): GatewayStats;
  /** Hands on what is batched, then flushes and shuts the exporter down. */
  close(): Promise<void>;
}

export const INGEST_DEFAULTS = {
  maxBodyBytes: 16 * 1024 * 1024,
  maxPendingSpans: 10_000,
  maxConcurrentRequests: 32,
  retryAfterSeconds: 1,
  batchDelayMillis: 200,
};
/** Most spans in one export. */
const MAX_BATCH_SPANS = 2_048;
/** The exporter's own default, which the 503 threshold needs to know. */
const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

export function createOtlpIngest(options: OtlpIngestOptions): OtlpIngest {
  const maxBodyBytes = whole(options.maxBodyBytes, INGEST_DEFAULTS.maxBodyBytes, 'maxBodyBytes', 1);
  const retryAfterSeconds = whole(options.retryAfterSeconds, INGEST_DEFAULTS.retryAfterSeconds, 'retryAfterSeconds', 1);
  const batchDelayMillis = whole(options.batchDelayMillis, INGEST_DEFAULTS.batchDelayMillis, 'batchDelayMillis', 0);
  const limits = {
    maxPendingSpans: whole(options.maxPendingSpans, INGEST_DEFAULTS.maxPendingSpans, 'maxPendingSpans', 1),
    maxConcurrentRequests: whole(options.maxConcurrentRequests, INGEST_DEFAULTS.maxConcurrentRequests, 'maxConcurrentRequests', 1),
    maxBufferedBytes: options.exporter.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
  };
  const exporter = new HumanloopSpanExporter(options.exporter);
  const admission = new Admission(limits, () => exporter.stats());
  const counters = new GatewayCounters();
  const stats = () => counters.snapshot(admission.pendingSpans, exporter.stats());
  const batcher = new SpanBatcher(batchDelayMillis, MAX_BATCH_SPANS, (spans) => exportSpans(exporter, spans, admission, counters));
  const intake = new SpanIntake(admission, batcher, counters);
  const { hostAllowed, token } = options;
  const receiver = new HttpReceiver(intake, admission, { hostAllowed, token, maxBodyBytes, retryAfterSeconds }, stats);
  return {
    exporter,
    handle: (req, res) => receiver.handle(req, res),
    // Loaded here, so that a server without gRPC does not load the gRPC library.
    startGrpc: async (port, host) => (await import('./grpc-receiver.js')).startGrpcReceiver(intake, { port, host, token, maxBodyBytes, retryAfterSeconds }),
    stats,
    close: async () => {
      batcher.flush();
      await exporter.shutdown();
    },
  };
}

export function whole(value: number | undefined, fallback: number, name: string, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be a whole number >= ${min}`);
  return value;
}
