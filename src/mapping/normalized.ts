import type { Attributes } from '@opentelemetry/api';
import type { ChatMessage, ModelConfig, ModelConfigTool, ModelEndpoint } from '../log/log-request.js';

/** What a span is, for Humanloop: an LLM call, a tool run, an agent run, or any other step. */
export type LogKind = 'model' | 'tool' | 'agent' | 'generic';

/** The sampling parameters a model config carries as its own fields. */
export type ModelParams = Pick<
  ModelConfig,
  'temperature' | 'max_tokens' | 'top_p' | 'stop' | 'presence_penalty' | 'frequency_penalty' | 'seed'
>;

/**
 * A message part a ChatMessage cannot hold (a file by id; audio, video or a document by URI or
 * inline), described without its data: `message` is the index of the log message it was part of,
 * or `output`.
 */
export interface Attachment {
  message: number | 'output';
  type: string;
  modality?: string;
  mime_type?: string;
  uri?: string;
  file_id?: string;
  /** The size of inline data. */
  bytes?: number;
}

export interface Usage {
  input?: number;
  output?: number;
  reasoning?: number;
  cacheRead?: number;
  cacheWrite?: number;
}

/**
 * The one shape every convention's normalizer produces from a span. The log builder turns it
 * into a LogRequest; no normalizer knows about LogRequest.
 */
export interface NormalizedSpan {
  kind: LogKind;
  /** Tool, agent or workflow name. */
  name?: string;
  description?: string;
  /** The agent's version, as the application gives it. */
  version?: string | number;
  model?: string;
  responseModel?: string;
  /** The provider as the instrumentation spells it (`openai`, `aws.bedrock`, `openai.chat`...). */
  provider?: string;
  endpoint?: ModelEndpoint;
  params: ModelParams;
  /** Other request parameters (top_k, n, ...) for `config.other`. */
  otherParams: Record<string, unknown>;
  tools?: ModelConfigTool[];
  /** A tool's JSON-schema parameters. */
  toolParameters?: Record<string, unknown>;
  messages?: ChatMessage[];
  outputMessage?: ChatMessage;
  output?: string;
  inputs?: Record<string, unknown>;
  /** The output's reasoning (thinking) text, which its message cannot hold. */
  reasoning?: string;
  attachments?: Attachment[];
  usage: Usage;
  finishReason?: string;
  responseId?: string;
  conversationId?: string;
  userId?: string;
  /** Anything else worth keeping, for `metadata`. */
  metadata: Record<string, unknown>;
}

export function emptyNormalized(kind: LogKind): NormalizedSpan {
  return { kind, params: {}, otherParams: {}, usage: {}, metadata: {} };
}

/** What a convention reads for one kind of span, on top of what it reads for every span. */
export type KindReader = (attributes: Attributes, out: NormalizedSpan) => void;
