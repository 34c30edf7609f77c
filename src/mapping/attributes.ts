import type { Attributes } from '@opentelemetry/api';

/**
 * Defensive readers for span attributes: a value of the wrong type reads as absent, never throws.
 * Strings come back well-formed (lone surrogates become U+FFFD) so payloads are valid UTF-8.
 */

type WellFormable = string & { isWellFormed(): boolean; toWellFormed(): string };

export function wellFormed(value: string): string {
  const text = value as WellFormable;
  return text.isWellFormed() ? value : text.toWellFormed();
}

export function readString(attributes: Attributes, key: string): string | undefined {
  const value = attributes[key];
  if (typeof value === 'string') return value === '' ? undefined : wellFormed(value);
  return undefined;
}

/** A finite number; numeric strings are accepted since some instrumentations stringify them. */
export function readNumber(attributes: Attributes, key: string): number | undefined {
  return toFiniteNumber(attributes[key]);
}

export function readInteger(attributes: Attributes, key: string): number | undefined {
  const value = readNumber(attributes, key);
  return value !== undefined && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

export function readBoolean(attributes: Attributes, key: string): boolean | undefined {
  const value = attributes[key];
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return undefined;
}

/** A string array attribute, or a JSON string holding one, or a single string. */
export function readStringArray(attributes: Attributes, key: string): string[] | undefined {
  const value = attributes[key];
  if (Array.isArray(value)) return stringsOf(value);
  if (typeof value !== 'string' || value === '') return undefined;
  const parsed = parseJson(value);
  if (Array.isArray(parsed)) return stringsOf(parsed);
  return [wellFormed(value)];
}

/** A structured attribute: JSON text is parsed; text that is not JSON is kept as text. */
export function readJson(attributes: Attributes, key: string): unknown {
  const value = attributes[key];
  if (typeof value !== 'string') return value;
  const parsed = parseJson(value);
  return parsed === undefined ? wellFormed(value) : parsed;
}

export function parseJson(text: string): unknown {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[' && first !== '"') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function toFiniteNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

function stringsOf(values: readonly unknown[]): string[] | undefined {
  const strings = values.filter((item): item is string => typeof item === 'string').map(wellFormed);
  return strings.length > 0 ? strings : undefined;
}
