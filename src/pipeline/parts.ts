import { Custody } from '../custody/custody.js';
import type { Dialect } from '../delivery/dialect.js';
import { Sender } from '../delivery/sender.js';
import { v4Dialect } from '../delivery/v4-dialect.js';
import { v5Dialect } from '../delivery/v5-dialect.js';
import type { ResolvedConfig } from '../config/config.js';
import { Intake } from '../intake/intake.js';
import { isExportedSpan } from '../mapping/classify.js';
import { pathResolver } from '../mapping/file-path.js';
import type { Clock } from '../common/clock.js';
import { TraceStage } from '../trace/trace-stage.js';
import type { Transport } from '../transport/http-transport.js';

/** The parts the pipeline wires, made from the configuration. */
export interface PipelineParts {
  config: ResolvedConfig;
  clock: Clock;
  dialect: Dialect;
  intake: Intake;
  trace: TraceStage;
  sender: Sender;
  custody: Custody;
}

export function pipelineParts(config: ResolvedConfig, transport: Transport, clock: Clock, random: () => number): PipelineParts {
  const { maxBatchBytes, maxConcurrentRequests } = config;
  // No request can take longer than an export may.
  const timeoutMillis = Math.min(config.timeoutMillis, config.exportTimeoutMillis);
  const dialect = config.api === 'v5' ? v5Dialect(config.baseUrl) : v4Dialect(logsUrl(config.baseUrl), config.maxBatchSize);
  return {
    config,
    clock,
    dialect,
    intake: new Intake(config, config.api === 'v5' ? pathResolver(config.path) : undefined),
    trace: new TraceStage({ ...config, exportsSpan: (span) => preparing(transport, isExportedSpan(span, config.spanFilter)) }),
    sender: new Sender({ dialect, transport, clock, random, timeoutMillis, maxBatchBytes, maxConcurrentRequests }),
    custody: new Custody({ maxBytes: config.maxBufferedBytes, maxAgeMillis: config.maxBufferAgeMillis, spoolDir: config.spoolDir, random }),
  };
}

/**
 * A span that will be logged started: the transport gets ready to send (loads undici) while the
 * span runs, an LLM call the application awaits, rather than at the flush that follows.
 */
function preparing(transport: Transport, exported: boolean): boolean {
  if (exported) transport.prepare();
  return exported;
}

function logsUrl(baseUrl: URL): URL {
  const url = new URL(baseUrl);
  url.pathname = `${url.pathname}/logs`;
  return url;
}
