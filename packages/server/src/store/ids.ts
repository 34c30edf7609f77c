import { createHash, randomBytes } from 'node:crypto';
import type { V5LogType } from './types.js';

/** Ids unique across processes: a random part drawn once per process, then a counter. */
const PROCESS_PART = randomBytes(6).toString('hex');
let counter = 0;

/** `data_…`, `pr_…`, `sesh_…`: ids like the API's. */
export function newId(prefix: string): string {
  counter++;
  return `${prefix}${PROCESS_PART}${counter.toString(16).padStart(12, '0')}`;
}

const FILE_PREFIXES: Readonly<Record<V5LogType, { file: string; version: string }>> = {
  prompt: { file: 'pr_', version: 'prv_' },
  tool: { file: 'tl_', version: 'tlv_' },
  flow: { file: 'fl_', version: 'flv_' },
  agent: { file: 'ag_', version: 'agv_' },
  evaluator: { file: 'ev_', version: 'evv_' },
};

/** Flow and agent logs carry a status and take children; their end moves with their children's. */
export function hasStatus(type: V5LogType): boolean {
  return type === 'flow' || type === 'agent';
}

export function fileId(type: V5LogType, n: number): string {
  return `${FILE_PREFIXES[type].file}${n}`;
}

const VERSION_HASH_CHARS = 12;

/** The same kernel on the same file is the same version, whatever the key order or null fields. */
export function versionId(type: V5LogType, file: string, kernel: unknown): string {
  const hash = createHash('sha256').update(file).update('\0').update(JSON.stringify(canonical(kernel)));
  return `${FILE_PREFIXES[type].version}${hash.digest('hex').slice(0, VERSION_HASH_CHARS)}`;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, member]) => member !== null);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, member]) => [key, canonical(member)]));
}
