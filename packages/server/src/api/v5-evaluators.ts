/**
 * Evaluator logs (`POST /v5/evaluators/log`): a judgement of a stored log, its `parent_id`. They
 * are kept on the log they judge, in its `evaluator_logs` (as Humanloop's log responses carry
 * them), not among the trace's logs: an evaluator log is no step of the trace. The checks, pure:
 * what the store holds is looked up first (lookups.ts).
 */
import type { EvaluatorCreate, StoredV5Log, V5File } from '../store/types.js';
import { validateJson } from './json-schema.js';
import { V5_SCHEMAS } from './v5-schemas.js';
import type { ValidationError } from './validate.js';

/** What the checks need of the other v5 logs and files. */
export interface KnownJudgments {
  /** The stored log of that id. */
  logToJudge(id: string): StoredV5Log | undefined;
  /** Whether any log, evaluator logs included, has that id. */
  isTaken(id: string): boolean;
  /** The type of the file (not an evaluator) at that path, if one is there. */
  typeAtPath(path: string): string | undefined;
  evaluatorById(id: string): V5File | undefined;
  evaluatorAtPath(path: string): V5File | undefined;
}

export type CheckedEvaluatorLog = { ok: true; value: EvaluatorCreate } | { ok: false; errors: ValidationError[] };

/** The body against `CreateEvaluatorLogRequest`, its parent (a stored log), its file, and its `log_id` (new). */
export function checkEvaluatorLog(body: unknown, known: KnownJudgments): CheckedEvaluatorLog {
  const schemaErrors = validateJson(V5_SCHEMAS, 'CreateEvaluatorLogRequest', body);
  if (schemaErrors.length > 0) return { ok: false, errors: schemaErrors };
  const fields = body as Record<string, unknown>;
  const errors: ValidationError[] = [];
  const parent = known.logToJudge(fields.parent_id as string);
  if (!parent) errors.push(error('parent_id', 'names no stored log', 'value_error.parent_unknown'));
  const destination = checkDestination(fields, known, errors);
  const logId = given(fields, 'log_id') as string | undefined;
  if (logId === '') errors.push(error('log_id', 'must not be empty', 'value_error.any_str.min_length'));
  else if (logId !== undefined && known.isTaken(logId)) errors.push(error('log_id', 'a log with this id exists', 'value_error.log_id_taken'));
  if (errors.length > 0 || !parent || !destination) return { ok: false, errors };
  return { ok: true, value: { body: fields, parentId: parent.id, destination, spec: given(fields, 'spec'), logId } };
}

/** The evaluator file named by `path` and/or `id`, or a new one at `path` when it brings its `spec`. */
function checkDestination(fields: Record<string, unknown>, known: KnownJudgments, errors: ValidationError[]): EvaluatorCreate['destination'] | undefined {
  const path = given(fields, 'path') as string | undefined;
  const id = given(fields, 'id') as string | undefined;
  if (path === undefined && id === undefined) return void errors.push(error('path', 'give the path or the id of the evaluator', 'value_error.missing'));
  if (path === '') return void errors.push(error('path', 'must not be empty', 'value_error.any_str.min_length'));
  const byId = id === undefined ? undefined : known.evaluatorById(id);
  if (id !== undefined && !byId) return void errors.push(error('id', 'names no evaluator', 'value_error.file'));
  const other = path === undefined ? undefined : known.typeAtPath(path);
  if (other !== undefined) return void errors.push(error('path', `is the path of a ${other}: a path holds one file type`, 'value_error.file_type'));
  const byPath = path === undefined ? undefined : known.evaluatorAtPath(path);
  if (byId && path !== undefined && byPath?.id !== byId.id) return void errors.push(error('path', 'names another file than id does', 'value_error.file'));
  const file = byId ?? byPath;
  if (file) return { fileId: file.id };
  if (given(fields, 'spec') === undefined) return void errors.push(error('spec', 'a new evaluator path needs its spec', 'value_error.missing'));
  return { newPath: path ?? '' };
}

/** A field's value; null counts as absent, as the API's optional fields take it. */
function given(fields: Record<string, unknown>, name: string): unknown {
  const value = Object.hasOwn(fields, name) ? fields[name] : undefined;
  return value === null ? undefined : value;
}

function error(field: string, msg: string, type: string): ValidationError {
  return { loc: ['body', field], msg, type };
}
