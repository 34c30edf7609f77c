/**
 * Validation of `POST /logs` and `PATCH /logs` bodies against Humanloop's v4 contract, as
 * strictly as the contract allows. Pure: the parent rule's lookups are passed in.
 */

export type Loc = Array<string | number>;

/** One item of a 422 answer's `detail`, as FastAPI writes it. */
export interface ValidationError {
  loc: Loc;
  msg: string;
  type: string;
}

/** What the server knows from earlier requests, for the parent rule. */
export interface KnownLogs {
  hasReferenceId(referenceId: string): boolean;
  hasLogId(id: string): boolean;
}

type Check = (value: unknown, loc: Loc, errors: ValidationError[]) => void;

/** The fields an object may have: which must be there, and what each must be. */
interface Shape {
  required?: Record<string, Check>;
  optional: Record<string, Check>;
}

const STRING_FIELDS = [
  'session_id',
  'session_reference_id',
  'parent_id',
  'parent_reference_id',
  'source',
  'reference_id',
  'trial_id',
  'output',
  'error',
  'environment',
  'config_id',
  'stdout',
  'source_datapoint_id',
  'trace_parent_id',
];
const OBJECT_FIELDS = ['inputs', 'metadata', 'provider_request', 'provider_response'];
const UPDATE_FIELDS = ['output', 'error', 'duration'];
const PROVIDERS = ['openai', 'openai_azure', 'mock', 'anthropic', 'bedrock', 'cohere', 'replicate', 'google', 'groq'];
const ENDPOINTS = ['complete', 'chat', 'edit'];
const ROLES = ['user', 'assistant', 'system', 'tool'];
const TOOL_SOURCES = ['organization', 'inline'];
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

/**
 * Every problem of one `POST /logs` body (a LogRequest or an array of them), with FastAPI-style
 * `loc`s, including the API's rule that a parent must have been logged by an earlier request.
 */
export function validateLogBody(body: unknown, known: KnownLogs): ValidationError[] {
  const errors: ValidationError[] = [];
  const items: unknown[] = Array.isArray(body) ? body : [body];
  const sameRequest = new Set<string>();
  for (const item of items) if (isObject(item) && typeof item.reference_id === 'string') sameRequest.add(item.reference_id);
  items.forEach((item, index) => {
    const loc: Loc = Array.isArray(body) ? ['body', index] : ['body'];
    checkLogRequest(item, loc, errors);
    if (isObject(item)) checkParents(item, loc, known, sameRequest, errors);
  });
  return errors;
}

/**
 * The problems of one LogRequest on its own: everything but the parent rule, which needs to know
 * what was logged before. `loc` is where it sits in the request: `["body"]` or `["body", index]`.
 */
export function validateLogRequest(value: unknown, loc: Loc = ['body']): ValidationError[] {
  const errors: ValidationError[] = [];
  checkLogRequest(value, loc, errors);
  return errors;
}

/** `PATCH /logs` bodies: only output, error and duration may be given. */
export function validateUpdate(body: unknown): ValidationError[] {
  const loc: Loc = ['body'];
  if (!isObject(body)) return [error(loc, 'the update must be an object', 'type_error.dict')];
  const errors = Object.keys(body)
    .filter((key) => !UPDATE_FIELDS.includes(key))
    .map((key) => error([...loc, key], 'extra fields not permitted', 'value_error.extra'));
  optional(body, 'output', loc, errors, isString);
  optional(body, 'error', loc, errors, isString);
  optional(body, 'duration', loc, errors, NON_NEGATIVE_NUMBER);
  return errors;
}

const FEEDBACK_FIELDS = ['type', 'value', 'data_id', 'user', 'created_at', 'unset'];

/**
 * `POST /feedback` bodies (a FeedbackRequest or an array of them): no fields but the request's,
 * a type, a value unless the feedback is unset, and a `data_id` naming a stored log (the
 * contract leaves it optional, but feedback on no log cannot be kept).
 */
export function validateFeedbackBody(body: unknown, known: KnownLogs): ValidationError[] {
  const errors: ValidationError[] = [];
  const items: unknown[] = Array.isArray(body) ? body : [body];
  if (Array.isArray(body) && items.length === 0) return [error(['body'], 'give at least one feedback', 'value_error.list.min_items')];
  items.forEach((item, index) => checkFeedbackRequest(item, Array.isArray(body) ? ['body', index] : ['body'], known, errors));
  return errors;
}

function checkFeedbackRequest(value: unknown, loc: Loc, known: KnownLogs, errors: ValidationError[]): void {
  if (!isObject(value)) return void errors.push(error(loc, 'a feedback must be an object', 'type_error.dict'));
  for (const key of Object.keys(value)) {
    if (!FEEDBACK_FIELDS.includes(key)) errors.push(error([...loc, key], 'extra fields not permitted', 'value_error.extra'));
  }
  required(value, 'type', loc, errors, nonEmptyString);
  if (value.unset === true) optional(value, 'value', loc, errors, feedbackValue);
  else required(value, 'value', loc, errors, feedbackValue);
  required(value, 'data_id', loc, errors, isString);
  if (typeof value.data_id === 'string' && !known.hasLogId(value.data_id)) {
    errors.push(error([...loc, 'data_id'], 'names no stored log', 'value_error.data_id_unknown'));
  }
  optional(value, 'user', loc, errors, isString);
  optional(value, 'created_at', loc, errors, dateTime);
  optional(value, 'unset', loc, errors, boolean);
}

function checkLogRequest(value: unknown, loc: Loc, errors: ValidationError[]): void {
  if (!isObject(value)) return void errors.push(error(loc, 'a log must be an object', 'type_error.dict'));
  checkProject(value, loc, errors);
  for (const field of STRING_FIELDS) optional(value, field, loc, errors, isString);
  for (const field of OBJECT_FIELDS) optional(value, field, loc, errors, isDict);
  optional(value, 'created_at', loc, errors, dateTime);
  optional(value, 'duration', loc, errors, NON_NEGATIVE_NUMBER);
  optional(value, 'prompt_tokens', loc, errors, NON_NEGATIVE_INTEGER);
  optional(value, 'output_tokens', loc, errors, NON_NEGATIVE_INTEGER);
  optional(value, 'prompt_cost', loc, errors, ANY_NUMBER);
  optional(value, 'output_cost', loc, errors, ANY_NUMBER);
  optional(value, 'save', loc, errors, boolean);
  optional(value, 'messages', loc, errors, MESSAGES);
  optional(value, 'output_message', loc, errors, chatMessage);
  optional(value, 'feedback', loc, errors, feedback);
  exclusive(value, 'session_id', 'session_reference_id', loc, errors);
  exclusive(value, 'parent_id', 'parent_reference_id', loc, errors);
  if (value.config !== undefined) config(value.config, [...loc, 'config'], errors);
  else if (value.config_id === undefined && value.trial_id === undefined) {
    errors.push(error([...loc, 'config'], 'config is required unless config_id or trial_id is given', 'value_error.missing'));
  }
}

function checkProject(value: Record<string, unknown>, loc: Loc, errors: ValidationError[]): void {
  optional(value, 'project', loc, errors, nonEmptyString);
  optional(value, 'project_id', loc, errors, nonEmptyString);
  if (value.project === undefined && value.project_id === undefined) {
    errors.push(error([...loc, 'project'], 'either project or project_id is required', 'value_error.missing'));
  }
}

function checkParents(
  item: Record<string, unknown>,
  loc: Loc,
  known: KnownLogs,
  sameRequest: Set<string>,
  errors: ValidationError[],
): void {
  const parentRef = item.parent_reference_id;
  if (typeof parentRef === 'string' && !known.hasReferenceId(parentRef)) {
    errors.push(
      sameRequest.has(parentRef)
        ? error(
            [...loc, 'parent_reference_id'],
            'names a log of the same request; the parent must be logged by an earlier request',
            'value_error.parent_same_request',
          )
        : error([...loc, 'parent_reference_id'], 'names no log stored by an earlier request', 'value_error.parent_unknown'),
    );
  }
  for (const field of ['parent_id', 'trace_parent_id']) {
    const id = item[field];
    if (typeof id === 'string' && !known.hasLogId(id)) {
      errors.push(error([...loc, field], 'names no stored log id', 'value_error.parent_unknown'));
    }
  }
}

// --- configs -------------------------------------------------------------------------------

function config(value: unknown, loc: Loc, errors: ValidationError[]): void {
  if (!isObject(value)) return void errors.push(error(loc, 'config must be an object', 'type_error.dict'));
  switch (value.type) {
    case 'model':
      return fields(value, MODEL_CONFIG, loc, errors);
    case 'tool':
      return fields(value, TOOL_CONFIG, loc, errors);
    case 'generic':
      return fields(value, GENERIC_CONFIG, loc, errors);
    case 'agent':
      return fields(value, AGENT_CONFIG, loc, errors);
    case undefined:
      return void errors.push(error([...loc, 'type'], 'field required', 'value_error.missing'));
    default:
      errors.push(error([...loc, 'type'], 'config type must be one of model, tool, generic, agent', 'value_error.discriminator'));
  }
}

/**
 * An object with `shape`'s fields; with `type`, its `type` field must be that (or, when
 * `typeOptional`, may also be left out).
 */
function objectOf(shape: Shape, type?: string, typeOptional = false): Check {
  return (value, loc, errors) => {
    if (!isObject(value)) return void errors.push(error(loc, 'must be an object', 'type_error.dict'));
    if (type !== undefined && value.type !== type && !(typeOptional && value.type === undefined)) {
      errors.push(error([...loc, 'type'], `must be "${type}"`, 'value_error.const'));
    }
    fields(value, shape, loc, errors);
  };
}

// --- messages and feedback -----------------------------------------------------------------

const chatMessage: Check = (value, loc, errors) => {
  if (!isObject(value)) return void errors.push(error(loc, 'a message must be an object', 'type_error.dict'));
  required(value, 'role', loc, errors, ROLE);
  optional(value, 'content', loc, errors, NULLABLE_CONTENT);
  optional(value, 'name', loc, errors, NULLABLE_STRING);
  optional(value, 'tool_call_id', loc, errors, NULLABLE_STRING);
  optional(value, 'tool_calls', loc, errors, NULLABLE_TOOL_CALLS);
  if (value.role === 'tool' && (value.tool_call_id === undefined || value.tool_call_id === null)) {
    errors.push(error([...loc, 'tool_call_id'], 'a tool message needs the tool_call_id it answers', 'value_error.missing'));
  }
};

const content: Check = (value, loc, errors) => {
  if (typeof value === 'string') return;
  if (!Array.isArray(value)) return void errors.push(error(loc, 'content must be a string or a list of parts', 'type_error'));
  for (let index = 0; index < value.length; index++) at(loc, index, value[index], errors, contentPart);
};

function contentPart(part: unknown, loc: Loc, errors: ValidationError[]): void {
  if (!isObject(part)) return void errors.push(error(loc, 'a part must be an object', 'type_error.dict'));
  if (part.type === 'text') return required(part, 'text', loc, errors, isString);
  if (part.type === 'image_url') return required(part, 'image_url', loc, errors, imageUrl);
  errors.push(error([...loc, 'type'], 'a part is text or image_url', 'value_error.discriminator'));
}

const feedback: Check = (value, loc, errors) => {
  if (!Array.isArray(value)) return feedbackItem(value, loc, errors);
  for (let index = 0; index < value.length; index++) at(loc, index, value[index], errors, feedbackItem);
};

const feedbackValue: Check = (value, loc, errors) => {
  const ok =
    typeof value === 'boolean' ||
    typeof value === 'string' ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    (Array.isArray(value) && value.every((item) => typeof item === 'string'));
  if (!ok) errors.push(error(loc, 'must be a boolean, number, string or list of strings', 'type_error'));
};

// --- scalars and combinators ---------------------------------------------------------------

const isString: Check = (value, loc, errors) => {
  if (typeof value !== 'string') errors.push(error(loc, 'must be a string', 'type_error.str'));
};

const nonEmptyString: Check = (value, loc, errors) => {
  if (typeof value !== 'string' || value === '') errors.push(error(loc, 'must be a non-empty string', 'type_error.str'));
};

const stringOrStrings: Check = (value, loc, errors) => {
  if (typeof value === 'string') return;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return;
  errors.push(error(loc, 'must be a string or a list of strings', 'type_error'));
};

const isDict: Check = (value, loc, errors) => {
  if (!isObject(value)) errors.push(error(loc, 'must be an object', 'type_error.dict'));
};

const boolean: Check = (value, loc, errors) => {
  if (typeof value !== 'boolean') errors.push(error(loc, 'must be a boolean', 'type_error.bool'));
};

const dateTime: Check = (value, loc, errors) => {
  if (typeof value !== 'string' || !isRfc3339(value)) {
    errors.push(error(loc, 'must be an RFC 3339 date-time', 'value_error.datetime'));
  }
};

/** A finite number (`integer`: a safe integer), at least `min` when given. */
function number({ min, integer = false }: { min?: number; integer?: boolean }): Check {
  const [what, type] = integer ? ['an integer', 'type_error.integer'] : ['a finite number', 'type_error.float'];
  return (value, loc, errors) => {
    if (typeof value !== 'number' || !(integer ? Number.isSafeInteger(value) : Number.isFinite(value))) {
      return void errors.push(error(loc, `must be ${what}`, type));
    }
    if (min !== undefined && value < min) errors.push(error(loc, `must be at least ${min}`, 'value_error.number.not_ge'));
  };
}

function oneOf(values: string[]): Check {
  return (value, loc, errors) => {
    if (typeof value !== 'string' || !values.includes(value)) {
      errors.push(error(loc, `must be one of ${values.join(', ')}`, 'type_error.enum'));
    }
  };
}

function arrayOf(check: Check): Check {
  return (value, loc, errors) => {
    if (!Array.isArray(value)) return void errors.push(error(loc, 'must be a list', 'type_error.list'));
    for (let index = 0; index < value.length; index++) at(loc, index, value[index], errors, check);
  };
}

function nullable(check: Check): Check {
  return (value, loc, errors) => {
    if (value !== null) check(value, loc, errors);
  };
}

// An `undefined` value counts as absent: JSON cannot carry it, and JSON.stringify drops it.
function optional(object: Record<string, unknown>, field: string, loc: Loc, errors: ValidationError[], check: Check) {
  const value = object[field];
  if (value !== undefined) at(loc, field, value, errors, check);
}

function required(object: Record<string, unknown>, field: string, loc: Loc, errors: ValidationError[], check: Check) {
  const value = object[field];
  if (value === undefined) errors.push(error([...loc, field], 'field required', 'value_error.missing'));
  else at(loc, field, value, errors, check);
}

/**
 * Checks a value at `loc` + `key`. The path is one array, extended and restored around the
 * check rather than copied per field: `error()` copies it only when there is something to say.
 */
function at(loc: Loc, key: string | number, value: unknown, errors: ValidationError[], check: Check): void {
  loc.push(key);
  check(value, loc, errors);
  loc.pop();
}

function fields(object: Record<string, unknown>, shape: Shape, loc: Loc, errors: ValidationError[]): void {
  for (const field in shape.required) required(object, field, loc, errors, shape.required[field]);
  for (const field in shape.optional) optional(object, field, loc, errors, shape.optional[field]);
}

function exclusive(object: Record<string, unknown>, a: string, b: string, loc: Loc, errors: ValidationError[]) {
  if (object[a] !== undefined && object[b] !== undefined) {
    errors.push(error([...loc, b], `give at most one of ${a} and ${b}`, 'value_error.exclusive'));
  }
}

/** An RFC 3339 date-time with a real date and time (a leap second allowed); also the v5 schemas' `date-time`. */
export function isRfc3339(text: string): boolean {
  const match = RFC3339.exec(text);
  if (!match) return false;
  const [year, month, day, hour, minute, second, offsetHour, offsetMinute] = match
    .slice(1)
    .map((group) => (group === undefined ? 0 : Number(group)));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  const realDay = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  // A second of 60 is a leap second, which RFC 3339 allows.
  return realDay && hour < 24 && minute < 60 && second <= 60 && offsetHour < 24 && offsetMinute < 60;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `loc` is copied: the validator's path array changes as it walks on. */
function error(loc: Loc, msg: string, type: string): ValidationError {
  return { loc: [...loc], msg, type };
}

// --- checks built once, for the functions above (defined here, after everything they use) ---

const NON_NEGATIVE_NUMBER = number({ min: 0 });
const NON_NEGATIVE_INTEGER = number({ min: 0, integer: true });
const ANY_NUMBER = number({});
const ANY_INTEGER = number({ integer: true });
const MESSAGES = arrayOf(chatMessage);
const PROVIDER = oneOf(PROVIDERS);
const ENDPOINT = oneOf(ENDPOINTS);
const TOOL_SOURCE = oneOf(TOOL_SOURCES);
const RESPONSE_FORMAT_TYPE = oneOf(['json_object', 'json_schema']);
const ROLE = oneOf(ROLES);
const NULLABLE_CONTENT = nullable(content);
const NULLABLE_STRING = nullable(isString);
const IMAGE_DETAIL = oneOf(['high', 'low', 'auto']);
const imageUrl = objectOf({ required: { url: isString }, optional: { detail: IMAGE_DETAIL } });
const functionCall = objectOf({ required: { name: isString }, optional: { arguments: isString } });
const toolCall = objectOf({ required: { id: isString, type: oneOf(['function']), function: functionCall }, optional: {} });
const NULLABLE_TOOL_CALLS = nullable(arrayOf(toolCall));
const feedbackItem = objectOf({ required: { type: isString, value: feedbackValue }, optional: {} });
const responseFormat = objectOf({ required: { type: RESPONSE_FORMAT_TYPE }, optional: { json_schema: isDict } });

/** A tool config's fields; also what a model config's `tools` hold, without `type`. */
const TOOL_CONFIG: Shape = {
  required: { name: nonEmptyString },
  optional: { description: isString, parameters: isDict, strict: boolean, source: TOOL_SOURCE, source_code: isString, other: isDict },
};
const MODEL_CONFIG: Shape = {
  required: { model: nonEmptyString },
  optional: {
    name: isString, description: isString, prompt_template: isString, provider: PROVIDER, endpoint: ENDPOINT,
    max_tokens: ANY_INTEGER, seed: ANY_INTEGER, temperature: ANY_NUMBER, top_p: ANY_NUMBER,
    presence_penalty: ANY_NUMBER, frequency_penalty: ANY_NUMBER, stop: stringOrStrings, other: isDict,
    response_format: responseFormat, chat_template: MESSAGES, tools: arrayOf(objectOf(TOOL_CONFIG)),
  },
};
const GENERIC_CONFIG: Shape = { optional: { name: isString, description: isString, other: isDict } };
const AGENT_CONFIG: Shape = {
  required: { agent_class: nonEmptyString, model_config: objectOf(MODEL_CONFIG, 'model', true) },
  optional: { tools: arrayOf(objectOf(TOOL_CONFIG, 'tool')), name: isString, description: isString, other: isDict },
};
