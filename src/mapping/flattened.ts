import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { setOwn } from '../common/own-keys.js';

/** What one index of a flattened list holds: the rest of each key, to its value. */
export type Group = Map<string, AttributeValue>;

/**
 * Lists that instrumentations flatten into keys like `prefix.0.message.role`, read back as one
 * group per index, in index order. Indexes above `maxItems` are ignored.
 */
export function indexedGroups(attributes: Attributes, prefix: string, maxItems = 1000): Group[] {
  const groups = new Map<number, Group>();
  const start = `${prefix}.`;
  for (const key in attributes) {
    if (!key.startsWith(start)) continue;
    const dot = key.indexOf('.', start.length);
    const index = Number(key.slice(start.length, dot === -1 ? undefined : dot));
    const value = attributes[key];
    if (!Number.isInteger(index) || index < 0 || index >= maxItems || value === undefined) continue;
    let group = groups.get(index);
    if (!group) groups.set(index, (group = new Map<string, AttributeValue>()));
    group.set(dot === -1 ? '' : key.slice(dot + 1), value);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((index) => groups.get(index)!);
}

/** The groups nested under `prefix` inside a group (`tool_calls.0.tool_call.id` → by index). */
export function subGroups(group: Group, prefix: string): Group[] {
  const attributes: Attributes = {};
  for (const [key, value] of group) setOwn(attributes, key, value);
  return indexedGroups(attributes, prefix);
}

export function groupString(group: Group, key: string): string | undefined {
  const value = group.get(key);
  return typeof value === 'string' ? value : undefined;
}
