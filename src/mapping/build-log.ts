import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '../common/otel.js';
import type { AgentConfig, GenericConfig, LogConfig, LogRequest, ModelConfig, ToolConfig } from '../log/log-request.js';
import { scalarText } from './attributes.js';
import { userIdOf } from './identity.js';
import { setBounded, withinKeyBound } from './metadata.js';
import { contextEnvironmentOf, contextSessionOf, readContextMetadata } from './request-context.js';
import { resourceFacts, type ResourceFacts } from './resource.js';
import type { ModelParams, NormalizedSpan } from './normalized.js';
import { toModelProvider } from './provider.js';
import { parentSpanId } from './span-ids.js';
import { durationSeconds, toRfc3339 } from './time.js';

export interface MappingOptions {
  /** Explicit project (option or environment); else the resource's service name, else `default`. */
  project: string | undefined;
  source: string | undefined;
  /** Explicit environment (option or env), under the request context's; else the resource's `deployment.environment.name`. */
  environment?: string | undefined;
  captureContent: boolean;
}

/** The LogRequest for a normalized span, without its place in the trace (the linker adds that). */
export function buildLogRequest(span: ReadableSpan, normalized: NormalizedSpan, options: MappingOptions): LogRequest {
  const resource = resourceFacts(span);
  const log: LogRequest = {
    project: options.project ?? resource.service ?? 'default',
    reference_id: span.spanContext().spanId,
    config: buildConfig(span, normalized),
  };
  const source = options.source ?? resource.service;
  if (source) log.source = source;
  const environment = contextEnvironmentOf(span.attributes) ?? options.environment ?? resource.environment;
  if (environment) log.environment = environment;
  if (options.captureContent) addContent(log, normalized);
  addUsage(log, normalized);
  const timing = addTiming(log, span);
  const error = errorOf(span);
  if (error) log.error = error;
  log.metadata = metadataOf(span, normalized, resource, timing, options.captureContent);
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

/**
 * The log's metadata, bounded as it is built: this package's own keys first, so that the bound
 * (64 keys) never cuts them and they win over a key of the same name; then the request context's
 * metadata, over the instrumentation's (the normalized span's, which is the span's alone).
 */
function metadataOf(
  span: ReadableSpan,
  n: NormalizedSpan,
  resource: ResourceFacts,
  timing: string | undefined,
  captureContent: boolean,
): Record<string, unknown> {
  const own: Record<string, unknown> = {};
  // What the messages could not hold is content too.
  if (captureContent && n.reasoning) setBounded(own, 'reasoning', n.reasoning);
  if (captureContent && n.attachments) setBounded(own, 'attachments', n.attachments);
  if (n.finishReason) setBounded(own, 'finish_reason', n.finishReason);
  if (n.responseId) setBounded(own, 'response_id', n.responseId);
  if (n.responseModel) setBounded(own, 'response_model', n.responseModel);
  const user = userIdOf(span.attributes, n.userId);
  if (user) setBounded(own, 'user_id', user);
  const session = contextSessionOf(span.attributes);
  if (session) setBounded(own, 'session_id', session);
  if (n.kind === 'agent' && n.version !== undefined) setBounded(own, 'agent_version', n.version);
  if (n.conversationId) setBounded(own, 'conversation_id', n.conversationId);
  // Token counts are safe integers: within the bound as they are.
  const usage = usageDetails(n);
  if (usage) own.usage = usage;
  own.otel = otelOf(span, resource);
  if (timing) own.timing = timing;
  let packageKeys = 0;
  for (const key in own) if (Object.hasOwn(own, key)) packageKeys++;
  const given = n.metadata;
  readContextMetadata(span.attributes, given);
  for (const key of Object.keys(given)) {
    if (!Object.hasOwn(own, key)) setBounded(own, key, given[key]);
  }
  return withinKeyBound(own, packageKeys);
}

/** Where the log came from in the trace (its text bounded as metadata's is). */
function otelOf(span: ReadableSpan, resource: ResourceFacts): Record<string, unknown> {
  const { traceId, spanId } = span.spanContext();
  const otel: Record<string, unknown> = {};
  setBounded(otel, 'trace_id', traceId);
  setBounded(otel, 'span_id', spanId);
  const parent = parentSpanId(span);
  if (parent) setBounded(otel, 'parent_span_id', parent);
  setBounded(otel, 'span_name', span.name);
  const scope = span.instrumentationScope;
  const named: Record<string, unknown> = {};
  setBounded(named, 'name', scope.name);
  if (scope.version) setBounded(named, 'version', scope.version);
  otel.scope = named;
  if (resource.release) setBounded(otel, 'service_version', resource.release);
  return otel;
}

function usageDetails(n: NormalizedSpan): Record<string, number> | undefined {
  const { reasoning, cacheRead, cacheWrite } = n.usage;
  if (reasoning === undefined && cacheRead === undefined && cacheWrite === undefined) return undefined;
  const details: Record<string, number> = {};
  if (reasoning !== undefined) details.reasoning_tokens = reasoning;
  if (cacheRead !== undefined) details.cache_read_input_tokens = cacheRead;
  if (cacheWrite !== undefined) details.cache_write_input_tokens = cacheWrite;
  return details;
}
