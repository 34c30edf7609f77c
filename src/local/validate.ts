/**
 * Validation of `POST /logs` and `PATCH /logs` bodies against Humanloop's v4 contract, as
 * strictly as the contract allows. Pure: the parent rule's lookups are passed in.
 */

export type Loc = Array<string | number>;

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

const STRING_FIELDS = [
  'project',
  'project_id',
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
const PROVIDERS = ['openai', 'openai_azure', 'mock', 'anthropic', 'bedrock', 'cohere', 'replicate', 'google', 'groq'];
const ENDPOINTS = ['complete', 'chat', 'edit'];
const ROLES = ['user', 'assistant', 'system', 'tool'];
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Every problem of one request body (a LogRequest or an array of them), with FastAPI-style
 * `loc`s, including the API's rule that a parent must have been logged by an earlier request.
 */
export function validateLogBody(body: unknown, known: KnownLogs): ValidationError[] {
  const errors: ValidationError[] = [];
  const items = Array.isArray(body) ? body : [body];
  const base: Loc = ['body'];
  const sameRequest = new Set(
    items.flatMap((item) => (isObject(item) && typeof item.reference_id === 'string' ? [item.reference_id] : [])),
  );
  items.forEach((item, index) => {
    const loc = Array.isArray(body) ? [...base, index] : base;
    validateLogRequest(item, loc, errors);
    if (isObject(item)) checkParentRule(item, loc, known, sameRequest, errors);
  });
  return errors;
}

export function validateLogRequest(value: unknown, loc: Loc, errors: ValidationError[]): void {
  if (!isObject(value)) return void errors.push(error(loc, 'a log must be an object', 'type_error.dict'));
  for (const field of STRING_FIELDS) optional(value, field, loc, errors, isString('string'));
  for (const field of OBJECT_FIELDS) optional(value, field, loc, errors, isDict);
  optional(value, 'created_at', loc, errors, dateTime);
  optional(value, 'duration', loc, errors, number({ min: 0 }));
  optional(value, 'prompt_tokens', loc, errors, integer({ min: 0 }));
  optional(value, 'output_tokens', loc, errors, integer({ min: 0 }));
  optional(value, 'prompt_cost', loc, errors, number({}));
  optional(value, 'output_cost', loc, errors, number({}));
  optional(value, 'save', loc, errors, boolean);
  optional(value, 'messages', loc, errors, arrayOf(chatMessage));
  optional(value, 'output_message', loc, errors, chatMessage);
  optional(value, 'feedback', loc, errors, feedback);
  if (value.project === undefined && value.project_id === undefined) {
    errors.push(error([...loc, 'project'], 'either project or project_id is required', 'value_error.missing'));
  }
  exclusive(value, 'session_id', 'session_reference_id', loc, errors);
  exclusive(value, 'parent_id', 'parent_reference_id', loc, errors);
  if (value.config !== undefined) config(value.config, [...loc, 'config'], errors);
  else if (value.config_id === undefined && value.trial_id === undefined) {
    errors.push(error([...loc, 'config'], 'config is required unless config_id or trial_id is given', 'value_error.missing'));
  }
}

/** `PATCH /logs` bodies: only output, error and duration may be given. */
export function validateUpdate(body: unknown): ValidationError[] {
  const errors: ValidationError[] = [];
  const loc: Loc = ['body'];
  if (!isObject(body)) return [error(loc, 'the update must be an object', 'type_error.dict')];
  for (const key of Object.keys(body)) {
    if (!['output', 'error', 'duration'].includes(key)) {
      errors.push(error([...loc, key], 'extra fields not permitted', 'value_error.extra'));
    }
  }
  optional(body, 'output', loc, errors, isString('string'));
  optional(body, 'error', loc, errors, isString('string'));
  optional(body, 'duration', loc, errors, number({ min: 0 }));
  return errors;
}

function checkParentRule(
  item: Record<string, unknown>,
  loc: Loc,
  known: KnownLogs,
  sameRequest: Set<string>,
  errors: ValidationError[],
): void {
  const parentRef = item.parent_reference_id;
  if (typeof parentRef === 'string') {
    if (sameRequest.has(parentRef) && !known.hasReferenceId(parentRef)) {
      errors.push(
        error(
          [...loc, 'parent_reference_id'],
          'cannot refer to a log in the same request; log the parent in an earlier request',
          'value_error.parent_same_request',
        ),
      );
    } else if (!known.hasReferenceId(parentRef)) {
      errors.push(
        error([...loc, 'parent_reference_id'], 'names no previously logged datapoint', 'value_error.parent_unknown'),
      );
    }
  }
  for (const field of ['parent_id', 'trace_parent_id']) {
    const id = item[field];
    if (typeof id === 'string' && !known.hasLogId(id)) {
      errors.push(error([...loc, field], 'names no logged datapoint', 'value_error.parent_unknown'));
    }
  }
}

function config(value: unknown, loc: Loc, errors: ValidationError[]): void {
  if (!isObject(value)) return void errors.push(error(loc, 'config must be an object', 'type_error.dict'));
  switch (value.type) {
    case 'model':
      return modelConfig(value, loc, errors, true);
    case 'tool':
      return toolConfig(value, loc, errors);
    case 'generic':
      optional(value, 'name', loc, errors, isString('string'));
      optional(value, 'description', loc, errors, isString('string'));
      optional(value, 'other', loc, errors, isDict);
      return;
    case 'agent':
      required(value, 'agent_class', loc, errors, isString('non-empty string', true));
      required(value, 'model_config', loc, errors, (inner, innerLoc, innerErrors) => {
        if (!isObject(inner)) return void innerErrors.push(error(innerLoc, 'must be an object', 'type_error.dict'));
        modelConfig(inner, innerLoc, innerErrors, false);
      });
      optional(value, 'tools', loc, errors, arrayOf(toolConfigCheck));
      optional(value, 'name', loc, errors, isString('string'));
      optional(value, 'description', loc, errors, isString('string'));
      optional(value, 'other', loc, errors, isDict);
      return;
    default:
      errors.push(error([...loc, 'type'], 'config type must be one of model, tool, generic, agent', 'value_error.discriminator'));
  }
}

function modelConfig(value: Record<string, unknown>, loc: Loc, errors: ValidationError[], typed: boolean): void {
  if (!typed && value.type !== undefined && value.type !== 'model') {
    errors.push(error([...loc, 'type'], 'must be "model"', 'value_error.const'));
  }
  required(value, 'model', loc, errors, isString('non-empty string', true));
  for (const field of ['name', 'description', 'prompt_template']) optional(value, field, loc, errors, isString('string'));
  optional(value, 'provider', loc, errors, oneOf(PROVIDERS));
  optional(value, 'endpoint', loc, errors, oneOf(ENDPOINTS));
  optional(value, 'max_tokens', loc, errors, integer({}));
  optional(value, 'seed', loc, errors, integer({}));
  for (const field of ['temperature', 'top_p', 'presence_penalty', 'frequency_penalty']) {
    optional(value, field, loc, errors, number({}));
  }
  optional(value, 'stop', loc, errors, stringOrStrings);
  optional(value, 'other', loc, errors, isDict);
  optional(value, 'response_format', loc, errors, responseFormat);
  optional(value, 'chat_template', loc, errors, arrayOf(chatMessage));
  optional(value, 'tools', loc, errors, arrayOf(modelTool));
}

function toolConfig(value: Record<string, unknown>, loc: Loc, errors: ValidationError[]): void {
  required(value, 'name', loc, errors, isString('non-empty string', true));
  optional(value, 'description', loc, errors, isString('string'));
  optional(value, 'parameters', loc, errors, isDict);
  optional(value, 'strict', loc, errors, boolean);
  optional(value, 'source', loc, errors, oneOf(['organization', 'inline']));
  optional(value, 'source_code', loc, errors, isString('string'));
  optional(value, 'other', loc, errors, isDict);
}

const toolConfigCheck: Check = (value, loc, errors) => {
  if (!isObject(value)) return void errors.push(error(loc, 'must be an object', 'type_error.dict'));
  if (value.type !== 'tool') errors.push(error([...loc, 'type'], 'must be "tool"', 'value_error.const'));
  toolConfig(value, loc, errors);
};

const modelTool: Check = (value, loc, errors) => {
  if (!isObject(value)) return void errors.push(error(loc, 'must be an object', 'type_error.dict'));
  required(value, 'name', loc, errors, isString('non-empty string', true));
  optional(value, 'description', loc, errors, isString('string'));
  optional(value, 'parameters', loc, errors, isDict);
  optional(value, 'strict', loc, errors, boolean);
  optional(value, 'other', loc, errors, isDict);
};

const chatMessage: Check = (value, loc, errors) => {
  if (!isObject(value)) return void errors.push(error(loc, 'a message must be an object', 'type_error.dict'));
  required(value, 'role', loc, errors, oneOf(ROLES));
  optional(value, 'content', loc, errors, nullable(content));
  optional(value, 'name', loc, errors, nullable(isString('string')));
  optional(value, 'tool_call_id', loc, errors, nullable(isString('string')));
  optional(value, 'tool_calls', loc, errors, nullable(arrayOf(toolCall)));
  if (value.role === 'tool' && typeof value.tool_call_id !== 'string') {
    errors.push(error([...loc, 'tool_call_id'], 'a tool message needs the tool_call_id it answers', 'value_error.missing'));
  }
};

const content: Check = (value, loc, errors) => {
  if (typeof value === 'string') return;
  if (!Array.isArray(value)) return void errors.push(error(loc, 'content must be a string or a list of parts', 'type_error'));
  value.forEach((part, index) => contentPart(part, [...loc, index], errors));
};

function contentPart(part: unknown, loc: Loc, errors: ValidationError[]): void {
  if (!isObject(part)) return void errors.push(error(loc, 'a part must be an object', 'type_error.dict'));
  if (part.type === 'text') return required(part, 'text', loc, errors, isString('string'));
  if (part.type !== 'image_url') {
    return void errors.push(error([...loc, 'type'], 'a part is text or image_url', 'value_error.discriminator'));
  }
  required(part, 'image_url', loc, errors, (image, imageLoc, imageErrors) => {
    if (!isObject(image)) return void imageErrors.push(error(imageLoc, 'must be an object', 'type_error.dict'));
    required(image, 'url', imageLoc, imageErrors, isString('string'));
    optional(image, 'detail', imageLoc, imageErrors, oneOf(['high', 'low', 'auto']));
  });
}

const toolCall: Check = (value, loc, errors) => {
  if (!isObject(value)) return void errors.push(error(loc, 'a tool call must be an object', 'type_error.dict'));
  required(value, 'id', loc, errors, isString('string'));
  required(value, 'type', loc, errors, oneOf(['function']));
  required(value, 'function', loc, errors, (fn, fnLoc, fnErrors) => {
    if (!isObject(fn)) return void fnErrors.push(error(fnLoc, 'must be an object', 'type_error.dict'));
    required(fn, 'name', fnLoc, fnErrors, isString('string'));
    optional(fn, 'arguments', fnLoc, fnErrors, isString('string'));
  });
};

const feedback: Check = (value, loc, errors) => {
  const items = Array.isArray(value) ? value : [value];
  items.forEach((item, index) => {
    const itemLoc = Array.isArray(value) ? [...loc, index] : loc;
    if (!isObject(item)) return void errors.push(error(itemLoc, 'feedback must be an object', 'type_error.dict'));
    required(item, 'type', itemLoc, errors, isString('string'));
    required(item, 'value', itemLoc, errors, (v, vLoc, vErrors) => {
      const ok =
        typeof v === 'boolean' ||
        typeof v === 'string' ||
        (typeof v === 'number' && Number.isFinite(v)) ||
        (Array.isArray(v) && v.every((s) => typeof s === 'string'));
      if (!ok) vErrors.push(error(vLoc, 'must be a boolean, number, string or list of strings', 'type_error'));
    });
  });
};

const responseFormat: Check = (value, loc, errors) => {
  if (!isObject(value)) return void errors.push(error(loc, 'must be an object', 'type_error.dict'));
  required(value, 'type', loc, errors, oneOf(['json_object', 'json_schema']));
  optional(value, 'json_schema', loc, errors, isDict);
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

function isString(what: string, nonEmpty = false): Check {
  return (value, loc, errors) => {
    if (typeof value !== 'string' || (nonEmpty && value === '')) {
      errors.push(error(loc, `must be a ${what}`, 'type_error.str'));
    }
  };
}

function number(bounds: { min?: number }): Check {
  return (value, loc, errors) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return void errors.push(error(loc, 'must be a finite number', 'type_error.float'));
    }
    if (bounds.min !== undefined && value < bounds.min) {
      errors.push(error(loc, `must be at least ${bounds.min}`, 'value_error.number.not_ge'));
    }
  };
}

function integer(bounds: { min?: number }): Check {
  return (value, loc, errors) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      return void errors.push(error(loc, 'must be an integer', 'type_error.integer'));
    }
    if (bounds.min !== undefined && value < bounds.min) {
      errors.push(error(loc, `must be at least ${bounds.min}`, 'value_error.number.not_ge'));
    }
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
    value.forEach((item, index) => check(item, [...loc, index], errors));
  };
}

function nullable(check: Check): Check {
  return (value, loc, errors) => {
    if (value !== null) check(value, loc, errors);
  };
}

function optional(object: Record<string, unknown>, field: string, loc: Loc, errors: ValidationError[], check: Check) {
  if (object[field] !== undefined) check(object[field], [...loc, field], errors);
}

function required(object: Record<string, unknown>, field: string, loc: Loc, errors: ValidationError[], check: Check) {
  if (object[field] === undefined) errors.push(error([...loc, field], 'field required', 'value_error.missing'));
  else check(object[field], [...loc, field], errors);
}

function exclusive(object: Record<string, unknown>, a: string, b: string, loc: Loc, errors: ValidationError[]) {
  if (object[a] !== undefined && object[b] !== undefined) {
    errors.push(error([...loc, b], `specify at most one of ${a} and ${b}`, 'value_error.exclusive'));
  }
}

function isRfc3339(text: string): boolean {
  const match = RFC3339.exec(text);
  if (!match) return false;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 61
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function error(loc: Loc, msg: string, type: string): ValidationError {
  return { loc, msg, type };
}
