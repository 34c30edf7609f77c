/**
 * A validator for the small JSON Schema subset that the v5 request schemas use: `type`,
 * `properties`, `required`, `additionalProperties`, `anyOf`, `allOf`, `enum`, `const`, `items`,
 * `$ref` as `#/Name`, and `format: date-time`. Problems come back as FastAPI-style errors, as
 * `validate.ts` writes them, so a 422 reads the same on both API versions.
 */
import { isRfc3339, type Loc, type ValidationError } from './validate.js';

export type JsonType = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null';

export interface JsonSchema {
  type?: JsonType;
  properties?: Readonly<Record<string, JsonSchema>>;
  required?: readonly string[];
  /** `false` refuses other keys; a schema checks their values; `true` (or absent) lets them be. */
  additionalProperties?: boolean | JsonSchema;
  anyOf?: readonly JsonSchema[];
  allOf?: readonly JsonSchema[];
  enum?: readonly string[];
  const?: string;
  items?: JsonSchema;
  /** `#/Name`: another schema of the same set. */
  $ref?: string;
  format?: 'date-time';
}

export type SchemaSet = Readonly<Record<string, JsonSchema>>;

/**
 * Schema steps (objects, lists, references, unions) one walk may take. The v5 bodies need about
 * 25; the bound stops a self-referencing schema from recursing without end.
 */
const MAX_DEPTH = 64;

const TYPE_ERRORS: Record<JsonType, [msg: string, type: string]> = {
  object: ['must be an object', 'type_error.dict'],
  array: ['must be a list', 'type_error.list'],
  string: ['must be a string', 'type_error.str'],
  number: ['must be a number', 'type_error.float'],
  integer: ['must be an integer', 'type_error.integer'],
  boolean: ['must be a boolean', 'type_error.bool'],
  null: ['must be null', 'type_error.none.allowed'],
};

const TYPE_NAMES: Record<JsonType, string> = {
  object: 'an object',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  null: 'null',
};

interface Walk {
  schemas: SchemaSet;
  errors: ValidationError[];
}

/** Every problem of `value` against the schema named `name` in `schemas`, located from `loc`. */
export function validateJson(schemas: SchemaSet, name: string, value: unknown, loc: Loc = ['body']): ValidationError[] {
  const walk: Walk = { schemas, errors: [] };
  check(walk, resolve(schemas, { $ref: `#/${name}` }), value, [...loc], 0);
  return walk.errors;
}

function check(walk: Walk, schema: JsonSchema, value: unknown, loc: Loc, depth: number): void {
  if (depth > MAX_DEPTH) return void walk.errors.push(error(loc, 'nested deeper than the schema allows', 'value_error.depth'));
  if (schema.$ref !== undefined) return check(walk, resolve(walk.schemas, schema), value, loc, depth + 1);
  for (const part of schema.allOf ?? []) check(walk, part, value, loc, depth + 1);
  if (schema.anyOf) anyOf(walk, schema.anyOf, value, loc, depth + 1);
  if (schema.type !== undefined && !hasType(value, schema.type)) {
    const [msg, type] = TYPE_ERRORS[schema.type];
    return void walk.errors.push(error(loc, msg, type));
  }
  if (schema.const !== undefined && value !== schema.const) {
    walk.errors.push(error(loc, `must be "${schema.const}"`, 'value_error.const'));
  }
  if (schema.enum && !schema.enum.includes(value as string)) {
    walk.errors.push(error(loc, `must be one of ${schema.enum.join(', ')}`, 'type_error.enum'));
  }
  if (schema.format === 'date-time' && typeof value === 'string' && !isRfc3339(value)) {
    walk.errors.push(error(loc, 'must be an RFC 3339 date-time', 'value_error.datetime'));
  }
  if (isObject(value)) checkObject(walk, schema, value, loc, depth);
  if (Array.isArray(value) && schema.items) {
    for (let index = 0; index < value.length; index++) at(walk, schema.items, value[index], loc, index, depth);
  }
}

function checkObject(walk: Walk, schema: JsonSchema, value: Record<string, unknown>, loc: Loc, depth: number): void {
  const properties = schema.properties ?? {};
  const required = schema.required ?? [];
  for (const name of required) {
    if (!Object.hasOwn(value, name)) walk.errors.push(error([...loc, name], 'field required', 'value_error.missing'));
  }
  for (const [name, property] of Object.entries(properties)) {
    if (Object.hasOwn(value, name)) at(walk, property, value[name], loc, name, depth);
  }
  const extra = schema.additionalProperties;
  if (extra === undefined || extra === true) return;
  for (const name of Object.keys(value)) {
    if (Object.hasOwn(properties, name)) continue;
    if (extra === false) walk.errors.push(error([...loc, name], 'extra fields not permitted', 'value_error.extra'));
    else at(walk, extra, value[name], loc, name, depth);
  }
}

/**
 * Passes when a branch passes. Otherwise it reports the errors of the branch the value was
 * evidently meant for: the only one that takes its JSON type (a bad date is still a string), or
 * of several, the one that failed only inside the value with the fewest errors. When no branch
 * stands out, one error says what the value may be.
 */
function anyOf(walk: Walk, branches: readonly JsonSchema[], value: unknown, loc: Loc, depth: number): void {
  const candidates: ValidationError[][] = [];
  for (const branch of branches) {
    const errors: ValidationError[] = [];
    check({ schemas: walk.schemas, errors }, branch, value, loc, depth);
    if (errors.length === 0) return;
    if (takesType(walk.schemas, branch, value, depth)) candidates.push(errors);
  }
  const inside = candidates.filter((errors) => errors.every((problem) => problem.loc.length > loc.length));
  const closest = candidates.length === 1 ? candidates[0] : inside.sort((a, b) => a.length - b.length)[0];
  if (closest) return void walk.errors.push(...closest);
  const choices = [...new Set(branches.flatMap((branch) => describe(walk.schemas, branch, depth)))];
  walk.errors.push(error(loc, `must be ${listed(choices)}`, 'type_error.union'));
}

/** Whether a schema takes values of this JSON type at all; an integer schema takes any number. */
function takesType(schemas: SchemaSet, schema: JsonSchema, value: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (schema.$ref !== undefined) return takesType(schemas, resolve(schemas, schema), value, depth + 1);
  if (schema.anyOf && !schema.anyOf.some((branch) => takesType(schemas, branch, value, depth + 1))) return false;
  if (schema.allOf && !schema.allOf.every((part) => takesType(schemas, part, value, depth + 1))) return false;
  return schema.type === undefined || hasType(value, schema.type === 'integer' ? 'number' : schema.type);
}

/** What a schema accepts, in words: `a string`, `"auto"`, `null`. */
function describe(schemas: SchemaSet, schema: JsonSchema, depth: number): string[] {
  if (depth > MAX_DEPTH) return [];
  if (schema.$ref !== undefined) return describe(schemas, resolve(schemas, schema), depth + 1);
  if (schema.anyOf) return schema.anyOf.flatMap((branch) => describe(schemas, branch, depth + 1));
  if (schema.const !== undefined) return [`"${schema.const}"`];
  if (schema.enum) return schema.enum.map((value) => `"${value}"`);
  if (schema.type !== undefined) return [TYPE_NAMES[schema.type]];
  return schema.allOf?.flatMap((part) => describe(schemas, part, depth + 1)) ?? ['any value'];
}

function listed(choices: string[]): string {
  return choices.length < 2 ? (choices[0] ?? 'valid') : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
}

/** The schema a `$ref` names. A reference to nothing is the schema set's fault, not the client's. */
function resolve(schemas: SchemaSet, { $ref }: JsonSchema): JsonSchema {
  const name = $ref?.startsWith('#/') ? $ref.slice(2) : undefined;
  const target = name !== undefined && Object.hasOwn(schemas, name) ? schemas[name] : undefined;
  if (!target) throw new Error(`schema reference ${String($ref)} names no schema`);
  return target;
}

function hasType(value: unknown, type: JsonType): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'null':
      return value === null;
    default:
      return typeof value === type;
  }
}

/** Checks a member at `loc` + `key`; `loc` is extended and restored rather than copied. */
function at(walk: Walk, schema: JsonSchema, value: unknown, loc: Loc, key: string | number, depth: number): void {
  loc.push(key);
  check(walk, schema, value, loc, depth + 1);
  loc.pop();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function error(loc: Loc, msg: string, type: string): ValidationError {
  return { loc: [...loc], msg, type };
}
