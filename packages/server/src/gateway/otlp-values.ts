import type { AttributeValue, Attributes, HrTime } from '@opentelemetry/api';
import { setOwn } from '../common/own-keys.js';

/**
 * OTLP scalar fields as they arrive from either encoding: protobuf (decoded with longs as
 * strings and bytes as Uint8Array) or JSON (ids as hex, 64-bit integers as strings or numbers,
 * bytes as base64). Pure functions; a value that cannot be read gives `undefined`.
 */

const HEX = /^[0-9a-f]*$/i;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const NANOS_PER_SECOND = 1_000_000_000n;

/**
 * An id of `bytes` length as lowercase hex: from bytes (protobuf), hex (OTLP JSON) or, leniently,
 * base64 (the generic protobuf JSON mapping). Empty input gives ''; anything else of the wrong
 * length gives undefined.
 */
export function idHex(value: unknown, bytes: number): string | undefined {
  if (value === undefined || value === null || value === '') return '';
  if (value instanceof Uint8Array) {
    if (value.length === 0) return '';
    return value.length === bytes ? Buffer.from(value.buffer, value.byteOffset, value.length).toString('hex') : undefined;
  }
  if (typeof value !== 'string') return undefined;
  if (value.length === bytes * 2 && HEX.test(value)) return value.toLowerCase();
  if (BASE64.test(value)) {
    const decoded = Buffer.from(value, 'base64');
    if (decoded.length === bytes) return decoded.toString('hex');
  }
  return undefined;
}

/** True for an id of all zeros, which OTLP defines as invalid. */
export function isZeroId(hex: string): boolean {
  return /^0+$/.test(hex);
}

/** A 64-bit unsigned count of nanoseconds (a decimal string or a number) as a BigInt, or undefined. */
export function nanos(value: unknown): bigint | undefined {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'bigint') return value >= 0n ? value : undefined;
  // A JSON number past 2^53 has lost its last digits already; it is still the right time to within a microsecond.
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? BigInt(value) : undefined;
  return typeof value === 'string' && /^\d{1,20}$/.test(value) ? BigInt(value) : undefined;
}

export function hrTime(value: bigint): HrTime {
  return [Number(value / NANOS_PER_SECOND), Number(value % NANOS_PER_SECOND)];
}

/** A 32-bit or 64-bit integer field (counts, flags) as a number; anything unreadable is 0. */
export function integer(value: unknown): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(number) ? Math.trunc(number) : 0;
}

export function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * An enum field: its number, or its name in `names` (JSON senders may spell enums by name).
 * Unknown values give 0 (unspecified).
 */
export function enumValue(value: unknown, names: readonly string[]): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string') {
    const index = names.indexOf(value);
    if (index >= 0) return index;
    if (/^\d+$/.test(value)) return Number(value);
  }
  return 0;
}

/**
 * OTLP KeyValue list → OTel attributes. Keys without a value are left out, as OTel does. Every key
 * is an own data property, `__proto__` included.
 */
export function attributes(list: unknown): Attributes {
  const out: Attributes = {};
  if (!Array.isArray(list)) return out;
  for (const item of list as unknown[]) {
    if (typeof item !== 'object' || item === null) continue;
    const { key, value } = item as { key?: unknown; value?: unknown };
    if (typeof key !== 'string') continue;
    const converted = attributeValue(value);
    if (converted !== undefined) setOwn(out, key, converted);
  }
  return out;
}

type Scalar = string | number | boolean;

/**
 * OTLP AnyValue → an OTel attribute value. Scalars stay scalars (a 64-bit integer becomes a
 * number); an array of scalars stays an array; a key-value list becomes its JSON text (the
 * form instrumentations in other languages use for structured attributes); bytes become base64.
 */
export function attributeValue(value: unknown): AttributeValue | undefined {
  const scalar = scalarValue(value);
  if (scalar !== undefined) return scalar;
  if (typeof value !== 'object' || value === null) return undefined;
  const any = value as Record<string, unknown>;
  if (any.arrayValue !== undefined) return arrayValue(any.arrayValue);
  if (any.kvlistValue !== undefined) return JSON.stringify(plainValue(value));
  return undefined;
}

function scalarValue(value: unknown): Scalar | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const any = value as Record<string, unknown>;
  if (typeof any.stringValue === 'string') return any.stringValue;
  if (typeof any.boolValue === 'boolean') return any.boolValue;
  if (any.intValue !== undefined && any.intValue !== null) return intValue(any.intValue);
  if (any.doubleValue !== undefined && any.doubleValue !== null) return doubleValue(any.doubleValue);
  if (any.bytesValue !== undefined && any.bytesValue !== null) return bytesValue(any.bytesValue);
  return undefined;
}

/** The `values` of an ArrayValue or KeyValueList. */
function valuesOf(container: unknown): unknown[] {
  const values = typeof container === 'object' && container !== null ? (container as { values?: unknown }).values : undefined;
  return Array.isArray(values) ? (values as unknown[]) : [];
}

function arrayValue(array: unknown): AttributeValue {
  const list = valuesOf(array);
  const scalars = list.map(scalarValue);
  if (scalars.every((item) => item !== undefined)) return homogeneous(scalars);
  return list.map((item) => {
    const scalar = scalarValue(item);
    return scalar === undefined ? JSON.stringify(plainValue(item)) : String(scalar);
  });
}

/** OTel attribute arrays hold one type; a mixed array is kept as strings rather than dropped. */
function homogeneous(values: Scalar[]): AttributeValue {
  if (values.every((item) => typeof item === 'string')) return values;
  if (values.every((item) => typeof item === 'number')) return values;
  if (values.every((item) => typeof item === 'boolean')) return values;
  return values.map((item) => String(item));
}

/** Lists and arrays nested deeper than this are cut off (as null): no attribute needs more, and recursion is bounded. */
const MAX_NESTING = 64;

/** AnyValue → the plain JSON value it stands for (for key-value lists and nested arrays). */
export function plainValue(value: unknown, depth = 0): unknown {
  const scalar = scalarValue(value);
  if (scalar !== undefined) return scalar;
  if (typeof value !== 'object' || value === null || depth >= MAX_NESTING) return null;
  const any = value as Record<string, unknown>;
  if (any.arrayValue !== undefined) return valuesOf(any.arrayValue).map((item) => plainValue(item, depth + 1));
  if (any.kvlistValue !== undefined) {
    const object: Record<string, unknown> = {};
    for (const item of valuesOf(any.kvlistValue) as Array<{ key?: unknown; value?: unknown } | null>) {
      if (item && typeof item.key === 'string') setOwn(object, item.key, plainValue(item.value, depth + 1));
    }
    return object;
  }
  return null;
}

function intValue(value: unknown): number | undefined {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(number) ? number : undefined;
}

/** Doubles; JSON senders spell the special values as strings. */
function doubleValue(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isNaN(number) ? undefined : number;
}

function bytesValue(value: unknown): string | undefined {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.length).toString('base64');
  return typeof value === 'string' ? value : undefined;
}
