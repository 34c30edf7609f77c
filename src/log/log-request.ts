/**
 * The Humanloop v4 logs API payloads this library produces: `POST /logs` takes an array of
 * `LogRequest`, `PATCH /logs?reference_id=` takes an `UpdateLogRequest`.
 */

export type ChatRole = 'user' | 'assistant' | 'system' | 'tool';

export interface TextContent {
  type: 'text';
  text: string;
}

export interface ImageContent {
  type: 'image_url';
  image_url: { url: string; detail?: 'high' | 'low' | 'auto' };
}

export type ContentPart = TextContent | ImageContent;

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments?: string };
}

export interface ChatMessage {
  role: ChatRole;
  content?: string | ContentPart[] | null;
  name?: string;
  tool_call_id?: string;
  tool_calls?: ToolCall[];
}

export type ModelProvider =
  | 'openai'
  | 'openai_azure'
  | 'mock'
  | 'anthropic'
  | 'bedrock'
  | 'cohere'
  | 'replicate'
  | 'google'
  | 'groq';

export const MODEL_PROVIDERS: readonly ModelProvider[] = [
  'openai',
  'openai_azure',
  'mock',
  'anthropic',
  'bedrock',
  'cohere',
  'replicate',
  'google',
  'groq',
];

export type ModelEndpoint = 'complete' | 'chat' | 'edit';

/** A tool offered to a model, as `ModelConfigRequest.tools` takes it. */
export interface ModelConfigTool {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
  strict?: boolean;
}

export interface ModelConfig {
  type: 'model';
  model: string;
  provider?: ModelProvider;
  endpoint?: ModelEndpoint;
  temperature?: number;
  max_tokens?: number;
  top_p?: number;
  stop?: string | string[];
  presence_penalty?: number;
  frequency_penalty?: number;
  seed?: number;
  tools?: ModelConfigTool[];
  other?: Record<string, unknown>;
}

export interface ToolConfig {
  type: 'tool';
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

export interface AgentConfig {
  type: 'agent';
  agent_class: string;
  model_config: Omit<ModelConfig, 'type'> & { type?: 'model' };
  tools?: ToolConfig[];
  name?: string;
  other?: Record<string, unknown>;
}

export interface GenericConfig {
  type: 'generic';
  name?: string;
  description?: string;
  other?: Record<string, unknown>;
}

export type LogConfig = ModelConfig | ToolConfig | AgentConfig | GenericConfig;

export interface LogRequest {
  project?: string;
  project_id?: string;
  source?: string;
  /** The environment the log belongs to (production, staging...). */
  environment?: string;
  reference_id?: string;
  session_reference_id?: string;
  parent_reference_id?: string;
  /** The parent's log id (`data_…`) as returned when the parent was logged. */
  trace_parent_id?: string;
  config: LogConfig;
  messages?: ChatMessage[];
  output?: string;
  output_message?: ChatMessage;
  inputs?: Record<string, unknown>;
  prompt_tokens?: number;
  output_tokens?: number;
  created_at?: string;
  duration?: number;
  error?: string;
  metadata?: Record<string, unknown>;
}

/** Body of `PATCH /logs/{id}` and `PATCH /logs?reference_id=`. */
export interface UpdateLogRequest {
  output?: string;
  error?: string;
  duration?: number;
}

/** One item of the `POST /logs` response. */
export interface CreateLogResponse {
  id: string;
  project_id: string;
  session_id?: string | null;
}
