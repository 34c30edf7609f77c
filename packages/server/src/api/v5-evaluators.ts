/**
 * Evaluator logs (`POST /v5/evaluators/log`): a judgement of a stored log, its `parent_id`. They
 * are kept on the log they judge, in its `evaluator_logs` (as Humanloop's log responses carry
 * them), not among the trace's logs: an evaluator log is no step of the trace.
 */
import { createHash } from 'node:crypto';
import { validateJson } from './json-schema.js';
import { V5_SCHEMAS } from './v5-schemas.js';
import type { StoredV5Log } from './v5-store.js';
import type { ValidationError } from './validate.js';

/** An evaluator log as kept on its parent: the body as sent, with what the server gave it. */
export interface StoredEvaluatorLog {
  id: string;
  type: 'evaluator';
  parent_id: string;
  file_id: string;
  version_id: string;
  [field: string]: unknown;
}

interface EvaluatorFile {
  readonly id: string;
  readonly path: string;
  version: string;
}

/** A create that passed every check, ready to store. */
export interface EvaluatorCreate {
  body: Record<string, unknown>;
  parent: StoredV5Log;
  file: EvaluatorFile | { newPath: string };
  logId: string | undefined;
}

/** What the checks need of the other v5 logs and files. */
export interface KnownLogs {
  /** The stored log of that id (the store's own). */
  logToJudge(id: string): StoredV5Log | undefined;
  /** Whether any log, evaluator logs included, has that id. */
  isTaken(id: string): boolean;
  /** The type of the other file at that path, if one is there. */
  typeAtPath(path: string): string | undefined;
}

export type CheckedEvaluatorLog = { ok: true; value: EvaluatorCreate } | { ok: false; errors: ValidationError[] };

/** Evaluator files, and the evaluator logs by id, for those kept on logs the store still holds. */
export class EvaluatorLogs {
  private readonly _files = new Map<string, EvaluatorFile>();
  private readonly _byId = new Map<string, StoredEvaluatorLog>();
  // Never reset by clear(): an id handed out once is not handed out again.
  private _fileCounter = 0;
  private _logCounter = 0;

  /** The body against `CreateEvaluatorLogRequest`, its parent (a stored log), its file, and its `log_id` (new). */
  check(body: unknown, known: KnownLogs): CheckedEvaluatorLog {
    const schemaErrors = validateJson(V5_SCHEMAS, 'CreateEvaluatorLogRequest', body);
    if (schemaErrors.length > 0) return { ok: false, errors: schemaErrors };
    const fields = body as Record<string, unknown>;
    const errors: ValidationError[] = [];
    const parent = known.logToJudge(fields.parent_id as string);
    if (!parent) errors.push(error('parent_id', 'names no stored log', 'value_error.parent_unknown'));
    const file = this._destination(fields, known, errors);
    const logId = given(fields, 'log_id') as string | undefined;
    if (logId === '') errors.push(error('log_id', 'must not be empty', 'value_error.any_str.min_length'));
    else if (logId !== undefined && (known.isTaken(logId) || this._byId.has(logId))) {
      errors.push(error('log_id', 'a log with this id exists', 'value_error.log_id_taken'));
    }
    if (errors.length > 0 || !parent || !file) return { ok: false, errors };
    return { ok: true, value: { body: fields, parent, file, logId } };
  }

  /** Stores a checked create on its parent; returns it (the store's own: copy before handing out). */
  add(create: EvaluatorCreate): StoredEvaluatorLog {
    const file = 'newPath' in create.file ? this._newFile(create.file.newPath) : create.file;
    const spec = given(create.body, 'spec');
    if (spec !== undefined) file.version = `evv_${createHash('sha256').update(file.id).update(JSON.stringify(spec)).digest('hex').slice(0, 12)}`;
    const ids = { id: create.logId ?? this._newLogId(), type: 'evaluator' as const, file_id: file.id, version_id: file.version };
    // The parsed request body is the server's own: completed in place rather than copied.
    const stored: StoredEvaluatorLog = Object.assign(create.body, ids, { parent_id: create.parent.id });
    const judged = Array.isArray(create.parent.evaluator_logs) ? (create.parent.evaluator_logs as unknown[]) : [];
    create.parent.evaluator_logs = [...judged, stored];
    this._byId.set(stored.id, stored);
    return stored;
  }

  get(id: string): StoredEvaluatorLog | undefined {
    return this._byId.get(id);
  }

  /** A log put back (from a data file): its evaluator logs are known again by id. */
  restored(log: StoredV5Log): void {
    for (const judged of evaluatorLogsOf(log)) this._byId.set(judged.id, judged);
  }

  /** A log pushed out: its evaluator logs go with it. */
  forget(log: StoredV5Log): void {
    for (const judged of evaluatorLogsOf(log)) if (this._byId.get(judged.id) === judged) this._byId.delete(judged.id);
  }

  clear(): void {
    this._files.clear();
    this._byId.clear();
  }

  /** The evaluator file named by `path` and/or `id`, or a new one at `path` when it brings its `spec`. */
  private _destination(fields: Record<string, unknown>, known: KnownLogs, errors: ValidationError[]): EvaluatorCreate['file'] | undefined {
    const path = given(fields, 'path') as string | undefined;
    const id = given(fields, 'id') as string | undefined;
    if (path === undefined && id === undefined) return void errors.push(error('path', 'give the path or the id of the evaluator', 'value_error.missing'));
    if (path === '') return void errors.push(error('path', 'must not be empty', 'value_error.any_str.min_length'));
    const byId = id === undefined ? undefined : [...this._files.values()].find((file) => file.id === id);
    if (id !== undefined && !byId) return void errors.push(error('id', 'names no evaluator', 'value_error.file'));
    const other = path === undefined ? undefined : known.typeAtPath(path);
    if (other !== undefined) return void errors.push(error('path', `is the path of a ${other}: a path holds one file type`, 'value_error.file_type'));
    const byPath = path === undefined ? undefined : this._files.get(path);
    if (byId && path !== undefined && byPath !== byId) return void errors.push(error('path', 'names another file than id does', 'value_error.file'));
    const file = byId ?? byPath;
    if (file) return file;
    if (given(fields, 'spec') === undefined) return void errors.push(error('spec', 'a new evaluator path needs its spec', 'value_error.missing'));
    return { newPath: path ?? '' };
  }

  private _newFile(path: string): EvaluatorFile {
    const file: EvaluatorFile = { id: `ev_${++this._fileCounter}`, path, version: '' };
    this._files.set(path, file);
    return file;
  }

  private _newLogId(): string {
    let id: string;
    do id = `evlog_${++this._logCounter}`;
    while (this._byId.has(id));
    return id;
  }
}

function evaluatorLogsOf(log: StoredV5Log): StoredEvaluatorLog[] {
  const judged = log.evaluator_logs;
  if (!Array.isArray(judged)) return [];
  return judged.filter((item): item is StoredEvaluatorLog => typeof item === 'object' && item !== null && typeof (item as { id?: unknown }).id === 'string');
}

/** A field's value; null counts as absent, as the API's optional fields take it. */
function given(fields: Record<string, unknown>, name: string): unknown {
  const value = Object.hasOwn(fields, name) ? fields[name] : undefined;
  return value === null ? undefined : value;
}

function error(field: string, msg: string, type: string): ValidationError {
  return { loc: ['body', field], msg, type };
}
