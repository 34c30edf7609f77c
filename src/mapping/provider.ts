import { MODEL_PROVIDERS, type ModelProvider } from '../log/log-request.js';
import { ownValue } from '../common/own-keys.js';

const ALIASES: Record<string, ModelProvider> = {
  'azure.ai.openai': 'openai_azure',
  'az.ai.openai': 'openai_azure',
  azure: 'openai_azure',
  'azure-openai': 'openai_azure',
  'aws.bedrock': 'bedrock',
  'amazon-bedrock': 'bedrock',
  aws_bedrock: 'bedrock',
  gemini: 'google',
  google_genai: 'google',
  google_vertexai: 'google',
  azure_openai: 'openai_azure',
  amazon_bedrock: 'bedrock',
  vertex_ai: 'google',
  vertexai: 'google',
  'google-vertex': 'google',
  'google.generative-ai': 'google',
  cohere_v2: 'cohere',
};

/**
 * The API's provider enum value for an instrumentation's spelling, or undefined when the
 * provider is not one the API knows (the caller keeps the raw name elsewhere).
 */
export function toModelProvider(raw: string): ModelProvider | undefined {
  const name = raw.trim().toLowerCase();
  if (isModelProvider(name)) return name;
  const alias = ownValue(ALIASES, name);
  if (alias) return alias;
  if (name.startsWith('gcp.') || name.startsWith('google.')) return 'google';
  if (name.startsWith('azure.')) return name.includes('openai') ? 'openai_azure' : undefined;
  // The AI SDK writes `<provider>.<api>`, e.g. `openai.chat`, `anthropic.messages`.
  const dot = name.indexOf('.');
  if (dot > 0) return toModelProvider(name.slice(0, dot));
  return undefined;
}

function isModelProvider(name: string): name is ModelProvider {
  return (MODEL_PROVIDERS as readonly string[]).includes(name);
}
