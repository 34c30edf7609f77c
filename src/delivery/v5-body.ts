import type { LogRequest, ModelConfig, ModelConfigTool } from '../log/log-request.js';
import { isRecord } from '../common/json.js';
import type { V5Route } from '../log/routes.js';

/**
 * A log (this package's LogRequest) in Humanloop's v5 bodies: an LLM call to `POST /prompts/log`
 * with its prompt kernel, a tool run to `POST /tools/log` with its tool kernel, and an agent run,
 * workflow or any other step to `POST /flows/log` (a flow log heads a trace, takes children while
 * incomplete, and is closed by its completion). Only the fields those bodies allow are written.
 */


type Body = Record<string, unknown>;

export function routeOf(log: LogRequest): V5Route {
  if (log.config.type === 'model') return 'prompts';
  if (log.config.type === 'tool') return 'tools';
  return 'flows';
}

/** The create body, without its place in the trace (`trace_parent_id`, a flow's `log_status`). */
export function createBody(log: LogRequest, path: string): Body {
  const route = routeOf(log);
  const body: Body = {
    path,
    ...kernelOf(log),
    inputs: log.inputs,
    output: log.output,
    error: log.error,
    start_time: log.created_at,
    end_time: endTime(log),
    source: log.source,
    environment: log.environment,
    user: userOf(log),
    metadata: log.metadata,
  };
  if (route !== 'tools') Object.assign(body, { messages: log.messages, output_message: log.output_message });
  if (route === 'prompts') Object.assign(body, usageOf(log), { provider_latency: log.duration });
  return body;
}

/** What completes a log created incomplete, in the update body of its kind. */
export function completionBody(log: LogRequest): Body {
  const common = { output: log.output, error: log.error, inputs: log.inputs };
  switch (routeOf(log)) {
    case 'flows':
      return { log_status: 'complete', ...common, messages: log.messages, output_message: log.output_message };
    case 'prompts':
      return { ...common, output_message: log.output_message, ...usageOf(log), end_time: endTime(log), metadata: log.metadata };
    case 'tools':
      return { ...common, end_time: endTime(log), metadata: log.metadata };
  }
}

function kernelOf(log: LogRequest): Body {
  const { config } = log;
  switch (config.type) {
    case 'model':
      return { prompt: promptKernel(config) };
    case 'tool':
      return { tool: { function: toolFunction(config) } };
    case 'agent':
      return { flow: { attributes: { kind: 'agent', name: config.agent_class, model: config.model_config.model } } };
    case 'generic': {
      const kind = typeof config.other?.kind === 'string' ? config.other.kind : 'workflow';
      return { flow: { attributes: { kind, name: config.name } } };
    }
  }
}

/** The prompt's version: its configuration only (anything that changes per call would make a new version each time). */
function promptKernel(config: ModelConfig): Body {
  const { type: _type, tools, ...kernel } = config;
  return { ...kernel, tools: tools?.map(toolFunction) };
}

/** A v5 tool function: `description` is required, and `parameters` an object schema. */
function toolFunction(tool: ModelConfigTool): Body {
  const parameters = isRecord(tool.parameters) ? tool.parameters : { type: 'object', properties: {} };
  return { name: tool.name, description: tool.description ?? '', parameters, strict: tool.strict };
}

function usageOf(log: LogRequest): Body {
  const usage = isRecord(log.metadata?.usage) ? log.metadata.usage : {};
  const finish = log.metadata?.finish_reason;
  return {
    prompt_tokens: log.prompt_tokens,
    output_tokens: log.output_tokens,
    reasoning_tokens: typeof usage.reasoning_tokens === 'number' ? usage.reasoning_tokens : undefined,
    finish_reason: typeof finish === 'string' ? finish : undefined,
  };
}

function userOf(log: LogRequest): string | undefined {
  const user = log.metadata?.user_id;
  return typeof user === 'string' ? user : undefined;
}

function endTime(log: LogRequest): string | undefined {
  if (log.created_at === undefined || log.duration === undefined) return undefined;
  const started = Date.parse(log.created_at);
  return Number.isFinite(started) ? new Date(started + log.duration * 1000).toISOString() : undefined;
}

