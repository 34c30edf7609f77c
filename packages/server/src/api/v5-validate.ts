/**
 * The v5 rules a schema cannot say: which file a log goes to, that a new path brings its
 * kernel, that a trace parent exists and is still open, that a client's log id is new, and that
 * a complete flow or agent log stays as it is. Pure: what earlier requests stored is passed in.
 */
import { validateJson } from './json-schema.js';
import { V5_KINDS, type LogStatus, type V5FileType } from './v5-kinds.js';
import { V5_SCHEMAS } from './v5-schemas.js';
import type { StoredV5Log, V5Create, V5File } from '../store/types.js';
import type { ValidationError } from './validate.js';

/** What the v5 checks need to know of earlier requests (looked up before, see lookups.ts). */
export interface KnownV5 {
  file(id: string): V5File | undefined;
  fileAtPath(path: string): V5File | undefined;
  log(id: string): Readonly<StoredV5Log> | undefined;
}

type Destination = V5Create['destination'];

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: ValidationError[] };

/**
 * The API's default when a flow log is created without `log_status` is not documented since
 * May 2025 (it was `incomplete` before), and the official SDKs always send the field. Complete
 * is the stricter guess: a client that means to add children must say so, as the SDKs do.
 */
const FLOW_DEFAULT_STATUS: LogStatus = 'complete';
/**
 * `AgentLogRequest` has no `log_status`, yet `UpdateAgentLogRequest` can complete an agent log and
 * the SDK's docs speak of creating one `incomplete`. So an agent log starts open, and a status
 * sent anyway (the body allows extra fields) is honoured when it is a valid one.
 */
const AGENT_DEFAULT_STATUS: LogStatus = 'incomplete';
const LOG_STATUSES: readonly string[] = ['complete', 'incomplete'];

/** A `POST /v5/<type>s/log` body, checked against its schema and the rules above. */
export function checkCreate(type: V5FileType, body: unknown, known: KnownV5): Checked<V5Create> {
  const schemaErrors = validateJson(V5_SCHEMAS, V5_KINDS[type].createBody, body);
  if (schemaErrors.length > 0) return { ok: false, errors: schemaErrors };
  // The schema says it is an object.
  const fields = body as Record<string, unknown>;
  const errors: ValidationError[] = [];
  const destination = checkDestination(type, fields, known, errors);
  checkParent(fields, known, errors);
  const logId = checkLogId(fields, known, errors);
  const logStatus = checkStatus(type, fields, errors);
  if (errors.length > 0 || !destination) return { ok: false, errors };
  const kernel = given(fields, V5_KINDS[type].kernel);
  return { ok: true, value: { type, body: fields, destination, kernel, logId, logStatus } };
}

/** Only a schema check: it comes before the log is looked up, as FastAPI validates before the handler. */
export function updateBodyErrors(type: V5FileType, body: unknown): ValidationError[] {
  return validateJson(V5_SCHEMAS, V5_KINDS[type].updateBody, body);
}

/**
 * The changes a schema-valid update makes to `log`. Fields the update body does not declare are
 * ignored, as a lenient body is: they could otherwise rewrite the log's ids or its file.
 */
export function checkUpdate(log: Readonly<StoredV5Log> & { type: V5FileType }, body: Record<string, unknown>): Checked<Record<string, unknown>> {
  if (log.log_status === 'complete') {
    return refuse(['body', 'log_status'], 'the log is complete: it can be neither changed nor reopened', 'value_error.log_complete');
  }
  const declared = V5_SCHEMAS[V5_KINDS[log.type].updateBody]?.properties ?? {};
  const changes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) if (Object.hasOwn(declared, name)) changes[name] = value;
  // A null status leaves the status as it is; only the two statuses change it.
  if (changes.log_status === null) delete changes.log_status;
  return { ok: true, value: changes };
}

/** The file named by `path` and/or `id`, or a new one at `path` when it brings a kernel. */
function checkDestination(
  type: V5FileType,
  fields: Record<string, unknown>,
  known: KnownV5,
  errors: ValidationError[],
): Destination | undefined {
  const path = given(fields, 'path') as string | undefined;
  const id = given(fields, 'id') as string | undefined;
  if (path === undefined && id === undefined) {
    return void errors.push(error(['body', 'path'], 'give the path or the id of the file', 'value_error.missing'));
  }
  if (path === '') return void errors.push(error(['body', 'path'], 'must not be empty', 'value_error.any_str.min_length'));
  const byId = id === undefined ? undefined : known.file(id);
  const byPath = path === undefined ? undefined : known.fileAtPath(path);
  if (id !== undefined && (byId === undefined || byId.type !== type)) {
    const msg = byId ? `names a ${byId.type}, not a ${type}` : `names no ${type}`;
    return void errors.push(error(['body', 'id'], msg, 'value_error.file'));
  }
  if (byPath && byPath.type !== type) {
    const msg = `is the path of a ${byPath.type}: a path holds one file type`;
    return void errors.push(error(['body', 'path'], msg, 'value_error.file_type'));
  }
  if (byId && path !== undefined && byPath?.id !== byId.id) {
    return void errors.push(error(['body', 'path'], 'names another file than id does', 'value_error.file'));
  }
  const file = byId ?? byPath;
  if (file) return { fileId: file.id };
  const { kernel } = V5_KINDS[type];
  if (given(fields, kernel) === undefined) {
    return void errors.push(error(['body', kernel], `a new ${type} path needs its ${kernel}`, 'value_error.missing'));
  }
  return { newPath: path ?? '' };
}

/**
 * A trace parent must be a log this server returned, and the trace must still be open: no
 * complete flow or agent log may sit at or above the parent. Parents always come before their
 * children, so the walk up ends.
 */
function checkParent(fields: Record<string, unknown>, known: KnownV5, errors: ValidationError[]): void {
  const parentId = given(fields, 'trace_parent_id') as string | undefined;
  if (parentId === undefined) return;
  let log = known.log(parentId);
  if (!log) return void errors.push(error(['body', 'trace_parent_id'], 'names no stored log', 'value_error.parent_unknown'));
  while (log) {
    if (log.log_status === 'complete') {
      const msg = `names a log in the completed ${log.type} log ${log.id}: no more logs can be added to a completed log`;
      return void errors.push(error(['body', 'trace_parent_id'], msg, 'value_error.parent_complete'));
    }
    const above: unknown = log.trace_parent_id;
    log = typeof above === 'string' ? known.log(above) : undefined;
  }
}

function checkLogId(fields: Record<string, unknown>, known: KnownV5, errors: ValidationError[]): string | undefined {
  const logId = given(fields, 'log_id') as string | undefined;
  if (logId === '') errors.push(error(['body', 'log_id'], 'must not be empty', 'value_error.any_str.min_length'));
  else if (logId !== undefined && known.log(logId)) {
    errors.push(error(['body', 'log_id'], 'a log with this id exists', 'value_error.log_id_taken'));
  }
  return logId;
}

function checkStatus(type: V5FileType, fields: Record<string, unknown>, errors: ValidationError[]): LogStatus | undefined {
  if (type === 'flow') return (given(fields, 'log_status') as LogStatus | undefined) ?? FLOW_DEFAULT_STATUS;
  if (type !== 'agent') return undefined;
  const status = given(fields, 'log_status');
  if (status === undefined) return AGENT_DEFAULT_STATUS;
  if (typeof status === 'string' && LOG_STATUSES.includes(status)) return status as LogStatus;
  errors.push(error(['body', 'log_status'], `must be one of ${LOG_STATUSES.join(', ')}`, 'type_error.enum'));
  return undefined;
}

/** A field's value; null counts as absent, as the API's optional fields take it. */
function given(fields: Record<string, unknown>, name: string): unknown {
  const value = Object.hasOwn(fields, name) ? fields[name] : undefined;
  return value === null ? undefined : value;
}

function refuse(loc: ValidationError['loc'], msg: string, type: string): Checked<never> {
  return { ok: false, errors: [error(loc, msg, type)] };
}

function error(loc: ValidationError['loc'], msg: string, type: string): ValidationError {
  return { loc, msg, type };
}
