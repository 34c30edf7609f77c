import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { configurationProblem, type HumanloopSpanExporter, type HumanloopSpanExporterOptions } from 'humanloop-otel-exporter';
import { isLoopbackHost } from '../common/loopback.js';
import { allowedHostsOption, hostCheck } from '../common/host-check.js';
import { listen } from '../common/listen.js';
import { requestTimeouts } from '../common/request-timeouts.js';
import type { GatewayStats } from './gateway-stats.js';
import type { GrpcReceiver } from './grpc-receiver.js';
import { createOtlpIngest, whole, type OtlpIngest } from './otlp-ingest.js';

export interface OtlpGatewayOptions {
  /** OTLP/HTTP port. Default 4318. 0 picks a free port. */
  port?: number;
  /** OTLP/gRPC port (what the Collector's loadbalancing exporter speaks). Default: no gRPC receiver. */
  grpcPort?: number;
  /** Default 127.0.0.1. A host other than loopback requires `token`. */
  host?: string;
  /**
   * Host names (or addresses) OTLP/HTTP requests may name in `Host`, besides the loopback names,
   * `host`, and any IP address when `host` is 0.0.0.0 or ::: the names senders reach the gateway
   * by (a Collector on another host, a container or service name). A leading dot allows every name
   * under a domain. Other requests get 403, so that a web page cannot reach the gateway by pointing
   * a DNS name of its own at it.
   */
  allowedHosts?: string[];
  /** Senders must send `Authorization: Bearer <token>` (gRPC: the same metadata). Default: none (loopback only). */
  token?: string;
  /** The Humanloop exporter the spans are delivered through, with all its options. */
  exporter?: HumanloopSpanExporterOptions;
  /** Most bytes of a request body, compressed and decompressed. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Most spans handed to the exporter and not yet settled; past it, 429. Default 10 000. */
  maxPendingSpans?: number;
  /** Most requests read and decoded at once; past it, 429. Default 32. */
  maxConcurrentRequests?: number;
  /**
   * How long a sender may take to send one OTLP/HTTP request (headers within 10 s, or this when
   * shorter); past it, 408 and the connection closed. Default 60 000.
   */
  requestTimeoutMillis?: number;
  /** The `Retry-After` of a 429 or 503, in whole seconds. Default 1. */
  retryAfterSeconds?: number;
  /**
   * Spans of requests arriving within this long are delivered as one export, so that a parent
   * that arrives a moment before its children (senders send batches concurrently) is still
   * delivered with them. 0: each request is its own export. Default 200.
   */
  batchDelayMillis?: number;
}

export interface OtlpGateway {
  /** `http://host:port`; senders post to `${url}/v1/traces`. */
  readonly url: string;
  readonly port: number;
  /** The OTLP/gRPC port, when `grpcPort` was given. */
  readonly grpcPort: number | undefined;
  readonly exporter: HumanloopSpanExporter;
  stats(): GatewayStats;
  /** Stops taking requests, then flushes and shuts the exporter down (spooling with `spoolDir`). */
  close(): Promise<void>;
}

const DEFAULTS = { port: 4318, host: '127.0.0.1', requestTimeoutMillis: 60_000 };

/**
 * An OTLP trace receiver (HTTP: `POST /v1/traces`, protobuf or JSON, gzip; gRPC with
 * `grpcPort`) that hands every span it receives to a HumanloopSpanExporter, with `/health` and
 * `/metrics` for operators. Throws at once when the exporter could not send anything (no API
 * key, an unusable base URL) or when a host other than loopback is asked for without a token.
 */
export async function startOtlpGateway(options: OtlpGatewayOptions = {}): Promise<OtlpGateway> {
  const host = options.host ?? DEFAULTS.host;
  const token = options.token === '' ? undefined : options.token;
  if (!isLoopbackHost(host) && token === undefined) throw new Error(`listening on ${host} requires a token, so that only your senders can post spans`);
  const allowedHosts = allowedHostsOption(options.allowedHosts);
  const exporterOptions = options.exporter ?? {};
  const unusable = configurationProblem(exporterOptions);
  if (unusable !== undefined) throw new Error(unusable);
  const requestTimeoutMillis = whole(options.requestTimeoutMillis, DEFAULTS.requestTimeoutMillis, 'requestTimeoutMillis', 1);
  const ingest = createOtlpIngest({ ...options, exporter: exporterOptions, hostAllowed: hostCheck(host, allowedHosts), token });
  const server = createServer(requestTimeouts(requestTimeoutMillis), (req, res) => ingest.handle(req, res));
  let grpc: GrpcReceiver | undefined;
  try {
    await listen(server, options.port ?? DEFAULTS.port, host);
    if (options.grpcPort !== undefined) grpc = await ingest.startGrpc(options.grpcPort, host);
  } catch (error) {
    if (server.listening) server.close();
    await ingest.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    grpcPort: grpc?.port,
    exporter: ingest.exporter,
    stats: () => ingest.stats(),
    close: () => (closing ??= stop(server, grpc, ingest)),
  };
}

async function stop(server: Server, grpc: GrpcReceiver | undefined, ingest: OtlpIngest): Promise<void> {
  await Promise.all([
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    }),
    grpc?.close(),
  ]);
  await ingest.close();
}
