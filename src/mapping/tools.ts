import type { ModelConfigTool } from '../log/log-request.js';
import { isRecord } from './messages.js';

/**
 * Tool definitions in any of the three shapes instrumentations record: flat
 * `{name, description, parameters}`, OpenAI's `{type: "function", function: {...}}`, and
 * Anthropic's `{name, description, input_schema}`.
 */
export function toModelConfigTools(value: unknown): ModelConfigTool[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const tools = value.flatMap((item) => {
    const tool = toModelConfigTool(item);
    return tool ? [tool] : [];
  });
  return tools.length > 0 ? tools : undefined;
}

function toModelConfigTool(item: unknown): ModelConfigTool | undefined {
  if (!isRecord(item)) return undefined;
  const definition = isRecord(item.function) ? item.function : item;
  if (typeof definition.name !== 'string' || definition.name === '') return undefined;
  const tool: ModelConfigTool = { name: definition.name };
  if (typeof definition.description === 'string') tool.description = definition.description;
  const parameters = definition.parameters ?? definition.input_schema ?? definition.inputSchema;
  if (isRecord(parameters)) tool.parameters = parameters;
  if (typeof definition.strict === 'boolean') tool.strict = definition.strict;
  return tool;
}
