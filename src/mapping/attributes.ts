import type { Attributes } from '@opentelemetry/api';
import { parseJson } from '../common/json.js';

/**
 * Defensive readers for span attributes: a value of the wrong type reads as absent, never throws.
 * Strings are returned as they are; lone surrogates are replaced once, when a log is serialized.
 */

export function readString(attributes: Attributes, key: string): string | undefined {
  const value = attributes[key];
  if (typeof value === 'string') return value === '' ? undefined : value;
  return undefined;
}

/** A value the log takes as text: a string as it is, a number or boolean written out; anything else is left out. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  return typeof value === 'boolean' ? String(value) : undefined;
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
  const parsed = parseJsonText(value);
  if (Array.isArray(parsed)) return stringsOf(parsed);
  return [value];
}

/** A structured attribute: JSON text is parsed; text that is not JSON is kept as text. */
export function readJson(attributes: Attributes, key: string): unknown {
  const value = attributes[key];
  if (typeof value !== 'string') return value;
  const parsed = parseJsonText(value);
  return parsed === undefined ? value : parsed;
}

/** Attribute text that holds a JSON object, array or string, parsed; undefined for anything else. */
export function parseJsonText(text: string): unknown {
  return looksLikeJson(text) ? parseJson(text) : undefined;
}

function toFiniteNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

function stringsOf(values: readonly unknown[]): string[] | undefined {
  const strings = values.filter((item): item is string => typeof item === 'string');
  return strings.length > 0 ? strings : undefined;
}

/** Whether text starts (after white space) like a JSON object, array or string: a cheap test before parsing. */
function looksLikeJson(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09) continue;
    return code === 0x7b || code === 0x5b || code === 0x22;
  }
  return false;
}
