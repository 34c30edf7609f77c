import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '../shared/otel.js';
import type { AgentConfig, GenericConfig, LogConfig, LogRequest, ModelConfig, ToolConfig } from '../log/log-request.js';
import { scalarText } from './attributes.js';
import { userIdOf } from './identity.js';
import { boundMetadata } from './metadata.js';
import type { ModelParams, NormalizedSpan } from './normalized.js';
import { toModelProvider } from './provider.js';
import { parentSpanId } from './span-ids.js';
import { durationSeconds, toRfc3339 } from './time.js';

export interface MappingOptions {
  /** Explicit project (option or environment); else the resource's service name, else `default`. */
  project: string | undefined;
  source: string | undefined;
  /** Explicit environment (option or env); else the resource's `deployment.environment.name`. */
  environment?: string | undefined;
  captureContent: boolean;
}

/** The LogRequest for a normalized span, without its place in the trace (the linker adds that). */
export function buildLogRequest(span: ReadableSpan, normalized: NormalizedSpan, options: MappingOptions): LogRequest {
  const service = serviceName(span);
  const log: LogRequest = {
    project: options.project ?? service ?? 'default',
    reference_id: span.spanContext().spanId,
    config: buildConfig(span, normalized),
  };
  const source = options.source ?? service;
  if (source) log.source = source;
  const environment = options.environment ?? resourceString(span, 'deployment.environment.name') ?? resourceString(span, 'deployment.environment');
  if (environment) log.environment = environment;
  if (options.captureContent) addContent(log, normalized);
  addUsage(log, normalized);
  const timing = addTiming(log, span);
  const error = errorOf(span);
  if (error) log.error = error;
  log.metadata = boundMetadata(metadataOf(span, normalized, timing, options.captureContent));
  return log;
}

function buildConfig(span: ReadableSpan, n: NormalizedSpan): LogConfig {
  switch (n.kind) {
    case 'model': {
      const model = modelConfig(n);
      return model ?? generic(nameOf(span, n), { kind: 'model', ...providerOther(n.provider) });
    }
    case 'tool':
      return toolConfig(nameOf(span, n), n.description, n.toolParameters);
    case 'agent':
      return agentConfig(nameOf(span, n), n);
    case 'generic':
      return generic(nameOf(span, n), Object.keys(n.otherParams).length > 0 ? n.otherParams : undefined);
  }
}

/** Tool and agent configs need a non-empty name; an unnamed span is named for its kind. */
function nameOf(span: ReadableSpan, n: NormalizedSpan): string {
  return n.name || nameInSpanName(span.name) || `unnamed ${n.kind}`;
}

/** An agent that names no model has no agent config: it is logged as a generic step of kind `agent`. */
function agentConfig(name: string, n: NormalizedSpan): LogConfig {
  const version = n.version === undefined ? {} : { version: n.version };
  const model = modelConfig(n);
  if (!model) return generic(name, { kind: 'agent', ...version });
  const { type: _type, tools, ...modelConfigFields } = model;
  const agent: AgentConfig = { type: 'agent', agent_class: name, model_config: modelConfigFields };
  if (tools) agent.tools = tools.map((tool) => toolConfig(tool.name, tool.description, tool.parameters));
  if (n.version !== undefined) agent.other = version;
  return agent;
}

/** Operations whose span name is `{operation} {name}` in the GenAI conventions. */
const NAMED_SPANS = /^(?:execute_tool|invoke_workflow|create_agent) (.+)$/;

/** The span's name, or the name in it for the GenAI operations that put one there. */
function nameInSpanName(spanName: unknown): string | undefined {
  if (typeof spanName !== 'string' || spanName === '') return undefined;
  return NAMED_SPANS.exec(spanName)?.[1] ?? spanName;
}

function modelConfig(n: NormalizedSpan): ModelConfig | undefined {
  const model = n.model ?? n.responseModel;
  if (!model) return undefined;
  const config: ModelConfig = { type: 'model', model };
  const provider = n.provider === undefined ? undefined : toModelProvider(n.provider);
  if (provider) config.provider = provider;
  if (n.endpoint) config.endpoint = n.endpoint;
  for (const key in n.params) {
    const value = n.params[key as keyof ModelParams];
    if (value !== undefined) (config as unknown as Record<string, unknown>)[key] = value;
  }
  if (n.tools) config.tools = n.tools;
  const other = { ...n.otherParams, ...(provider ? {} : providerOther(n.provider)) };
  if (Object.keys(other).length > 0) config.other = other;
  return config;
}

/** A provider the API's enum does not know is kept here rather than misreported. */
function providerOther(provider: string | undefined): Record<string, unknown> {
  return provider === undefined ? {} : { provider };
}

function toolConfig(name: string, description?: string, parameters?: Record<string, unknown>): ToolConfig {
  const config: ToolConfig = { type: 'tool', name };
  if (description) config.description = description;
  if (parameters) config.parameters = parameters;
  return config;
}

function generic(name: string, other: Record<string, unknown> | undefined): GenericConfig {
  return other ? { type: 'generic', name, other } : { type: 'generic', name };
}

function addContent(log: LogRequest, n: NormalizedSpan): void {
  if (n.messages) log.messages = n.messages;
  if (n.output !== undefined) log.output = n.output;
  if (n.outputMessage) log.output_message = n.outputMessage;
  if (n.inputs) log.inputs = n.inputs;
}

function addUsage(log: LogRequest, n: NormalizedSpan): void {
  if (n.usage.input !== undefined) log.prompt_tokens = n.usage.input;
  if (n.usage.output !== undefined) log.output_tokens = n.usage.output;
}

/** Sets `created_at` and `duration`; returns what metadata should say about odd times, if anything. */
function addTiming(log: LogRequest, span: ReadableSpan): string | undefined {
  const createdAt = toRfc3339(span.startTime);
  if (createdAt) log.created_at = createdAt;
  const duration = durationSeconds(span.startTime, span.endTime);
  if (duration === undefined) return 'span times unusable: no duration';
  if (duration < 0) {
    log.duration = 0;
    return `span ended ${-duration} s before it started: duration set to 0`;
  }
  log.duration = duration;
  return undefined;
}

function errorOf(span: ReadableSpan): string | undefined {
  const exception = scalarText(span.events.find((event) => event.name === 'exception')?.attributes?.['exception.message']);
  if (span.status.code === SpanStatusCode.ERROR) return scalarText(span.status.message) ?? exception ?? 'error';
  return exception;
}

function metadataOf(span: ReadableSpan, n: NormalizedSpan, timing: string | undefined, captureContent: boolean): Record<string, unknown> {
  const metadata: Record<string, unknown> = { ...n.metadata };
  // What the messages could not hold is content too.
  if (captureContent && n.reasoning) metadata.reasoning = n.reasoning;
  if (captureContent && n.attachments) metadata.attachments = n.attachments;
  if (n.finishReason) metadata.finish_reason = n.finishReason;
  if (n.responseId) metadata.response_id = n.responseId;
  if (n.responseModel) metadata.response_model = n.responseModel;
  const user = n.userId ?? userIdOf(span.attributes);
  if (user) metadata.user_id = user;
  if (n.kind === 'agent' && n.version !== undefined) metadata.agent_version = n.version;
  if (n.conversationId) metadata.conversation_id = n.conversationId;
  const usage = usageDetails(n);
  if (usage) metadata.usage = usage;
  const scope = span.instrumentationScope;
  const parent = parentSpanId(span);
  metadata.otel = {
    trace_id: span.spanContext().traceId,
    span_id: span.spanContext().spanId,
    ...(parent ? { parent_span_id: parent } : {}),
    span_name: span.name,
    scope: scope.version ? { name: scope.name, version: scope.version } : { name: scope.name },
  };
  const release = resourceString(span, 'service.version');
  if (release) (metadata.otel as Record<string, unknown>).service_version = release;
  if (timing) metadata.timing = timing;
  return metadata;
}

function usageDetails(n: NormalizedSpan): Record<string, number> | undefined {
  const details: Record<string, number> = {};
  if (n.usage.reasoning !== undefined) details.reasoning_tokens = n.usage.reasoning;
  if (n.usage.cacheRead !== undefined) details.cache_read_input_tokens = n.usage.cacheRead;
  if (n.usage.cacheWrite !== undefined) details.cache_write_input_tokens = n.usage.cacheWrite;
  return Object.keys(details).length > 0 ? details : undefined;
}

/** The resource's `service.name`, unless it is the SDK's `unknown_service` fallback. */
export function serviceName(span: ReadableSpan): string | undefined {
  const name = resourceString(span, 'service.name');
  return name !== undefined && !name.startsWith('unknown_service') ? name : undefined;
}

function resourceString(span: ReadableSpan, key: string): string | undefined {
  const value = span.resource?.attributes[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
