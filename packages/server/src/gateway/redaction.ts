import { readFileSync } from 'node:fs';
import type { LogRequest } from 'humanloop-otel-exporter';
import { setOwn } from '../common/own-keys.js';

/**
 * The gateway's redaction file: a JSON document that becomes the exporter's `redact` option.
 *
 * ```json
 * {
 *   "removeFields": ["inputs", "metadata.user_id"],
 *   "replace": [{ "pattern": "\\b\\d{13,16}\\b", "flags": "i", "with": "[card]" }],
 *   "dropWhen": [{ "field": "metadata.otel.span_name", "equals": "healthcheck" }]
 * }
 * ```
 *
 * `removeFields`: dotted paths into the log, removed before it is sent. `replace`: regular
 * expressions applied, in order, to every string in the log (all matches). `dropWhen`: a log
 * whose field equals the value is not sent at all. Every key is optional; any other key, or a
 * pattern that does not compile, is an error when the file is loaded.
 */
export interface RedactionRules {
  removeFields?: string[];
  replace?: Array<{ pattern: string; flags?: string; with: string }>;
  dropWhen?: Array<{ field: string; equals: string | number | boolean }>;
}

export type Redact = (log: LogRequest) => LogRequest | null;

export class RedactionConfigError extends Error {
  override name = 'RedactionConfigError';
}

const TOP_KEYS = new Set(['removeFields', 'replace', 'dropWhen']);
/** Strings deeper than this are left as they are rather than walked (a log is bounded well before). */
const MAX_DEPTH = 64;

export function loadRedactionFile(path: string): Redact {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RedactionConfigError(`cannot read the redaction file ${path}: ${(error as { code?: string }).code ?? 'error'}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RedactionConfigError(`the redaction file ${path} is not valid JSON`);
  }
  return redactionFromRules(value);
}

/** Validates the rules and compiles them into a redact function. */
export function redactionFromRules(value: unknown): Redact {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RedactionConfigError('redaction rules must be a JSON object');
  for (const key of Object.keys(value)) {
    if (!TOP_KEYS.has(key)) throw new RedactionConfigError(`unknown key in redaction rules: ${key}`);
  }
  const rules = value as Record<string, unknown>;
  const remove = stringList(rules.removeFields, 'removeFields').map((path) => path.split('.'));
  const replace = replacements(rules.replace);
  const drop = dropRules(rules.dropWhen);
  return (log) => {
    if (drop.some(({ path, equals }) => valueAt(log, path) === equals)) return null;
    const copy = rewrite(log, replace, 0) as LogRequest;
    for (const path of remove) removeAt(copy, path);
    return copy;
  };
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item !== '')) {
    throw new RedactionConfigError(`${name} must be an array of non-empty strings`);
  }
  return value as string[];
}

function replacements(value: unknown): Array<{ regex: RegExp; with: string }> {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new RedactionConfigError('replace must be an array');
  return (value as unknown[]).map((rule, index) => {
    const { pattern, flags, with: replacement } = (rule ?? {}) as Record<string, unknown>;
    if (typeof pattern !== 'string' || typeof replacement !== 'string' || (flags !== undefined && typeof flags !== 'string')) {
      throw new RedactionConfigError(`replace[${index}] must have a string pattern and a string "with" (flags optional)`);
    }
    if (flags !== undefined && !/^[imsu]*$/.test(flags)) throw new RedactionConfigError(`replace[${index}].flags may hold only i, m, s and u`);
    try {
      return { regex: new RegExp(pattern, `g${flags ?? ''}`), with: replacement };
    } catch {
      throw new RedactionConfigError(`replace[${index}].pattern is not a valid regular expression`);
    }
  });
}

function dropRules(value: unknown): Array<{ path: string[]; equals: unknown }> {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new RedactionConfigError('dropWhen must be an array');
  return (value as unknown[]).map((rule, index) => {
    const { field, equals } = (rule ?? {}) as Record<string, unknown>;
    const scalar = typeof equals === 'string' || typeof equals === 'number' || typeof equals === 'boolean';
    if (typeof field !== 'string' || field === '' || !scalar) {
      throw new RedactionConfigError(`dropWhen[${index}] must have a field path and a string, number or boolean "equals"`);
    }
    return { path: field.split('.'), equals };
  });
}

/** A copy of the value with every string rewritten; the log itself is not changed. */
function rewrite(value: unknown, rules: Array<{ regex: RegExp; with: string }>, depth: number): unknown {
  if (typeof value === 'string') return rules.reduce((text, rule) => text.replace(rule.regex, rule.with), value);
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => rewrite(item, rules, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) setOwn(copy, key, rewrite(item, rules, depth + 1));
  return copy;
}

function valueAt(value: unknown, path: string[]): unknown {
  let at = value;
  for (const key of path) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

function removeAt(value: unknown, path: string[]): void {
  const parent = valueAt(value, path.slice(0, -1));
  const last = path[path.length - 1];
  if (typeof parent === 'object' && parent !== null && last !== undefined) delete (parent as Record<string, unknown>)[last];
}
