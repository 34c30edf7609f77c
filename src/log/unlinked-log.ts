import type { CallSignature } from './call-signature.js';
import type { HeldEvaluation } from './evaluation.js';

/**
 * A span's log from the moment it is created (its span mapped) until it is linked: a LogRequest
 * as JSON without its place in the trace, and what linking it needs. It is encoded as soon as its
 * span is mapped, so its object graph dies young even in a large export. Never changed once made.
 */
export interface UnlinkedLog {
  readonly spanId: string;
  readonly traceId: string;
  /** The span's parent, when it is in this process. */
  readonly parentSpanId: string | undefined;
  /** The conversation the span names, if any (else its session is its parent's, or the trace id). */
  readonly session: string | undefined;
  /** When it was created, on the exporter's clock: a wait for a running parent counts from here. */
  readonly createdAt: number;
  /** The LogRequest, as UTF-8 JSON, without the link fields. */
  readonly body: Buffer;
  /** The file it goes to, for APIs that file logs by path. */
  readonly path?: string;
  /** Set for an LLM call, so that a nested record of the same call can still be folded into it. */
  readonly call?: CallSignature;
  /** The evaluations recorded on its span: they go once the log is created, each on its own. */
  readonly evaluations?: readonly HeldEvaluation[];
}

/** A log's place in the trace: its parent (nearest ancestor whose log is delivered) and its session. */
export interface Link {
  parent: { spanId: string; logId: string | undefined } | undefined;
  session: string;
}
