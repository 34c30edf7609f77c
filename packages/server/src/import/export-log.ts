/**
 * One line of a Humanloop export's logs file, as the store keeps it. A line is a v5 log response
 * (`GET /v5/logs` with trace children) or, under an evaluation, an evaluation log (the log with its
 * run and judgments). Each log, and each log nested in `trace_children` or `evaluator_logs`, becomes a
 * stored v5 log with its exported id, its file's id and its version's id; a nested log names the log
 * it came under (`trace_parent_id` for a trace child, `parent_id` for a judgment) when it did not
 * already. Pure: errors as data.
 */
import { IMPORTED_REQUEST_INDEX, type StoredV5Log, type V5LogType } from '../store/types.js';

/** The key of each type's file object in a v5 log response: the log's type. */
const LOG_TYPES: readonly V5LogType[] = ['prompt', 'tool', 'flow', 'agent', 'evaluator'];
/** Levels of nested logs read under one line; deeper ones are reported, not read. */
export const MAX_NESTING = 256;

/** What one line gave: the logs to store and what could not be read (`where` inside the line, `reason`). */
export interface MappedLine {
  logs: StoredV5Log[];
  problems: Array<{ where: string; reason: string }>;
}

/** The logs of one line's text. */
export function mapExportLine(text: string): MappedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { logs: [], problems: [{ where: '', reason: 'not valid JSON' }] };
  }
  const mapped: MappedLine = { logs: [], problems: [] };
  if (!isObject(value)) mapped.problems.push({ where: '', reason: `a JSON ${kindOf(value)}, not a log object` });
  else if (isObject(value.log) && 'run_id' in value) mapEvaluationLog(value, mapped);
  else mapLog(value, { where: '', depth: 0 }, mapped);
  return mapped;
}

/** An evaluation's log: the log, and the judgments beside it, which name it as their parent. */
function mapEvaluationLog(line: Record<string, unknown>, mapped: MappedLine): void {
  const log = mapLog(line.log as Record<string, unknown>, { where: 'log', depth: 0 }, mapped);
  mapNested(line.evaluator_logs, 'evaluator_logs', { parentId: log?.id, depth: 1 }, mapped);
}

interface Place {
  where: string;
  depth: number;
  /** The log it is nested in, and how. */
  under?: { id: string; as: 'trace_parent_id' | 'parent_id' };
}

/** A log and those nested in it, in that order; the log, or undefined when it is not one. */
function mapLog(value: Record<string, unknown>, place: Place, mapped: MappedLine): StoredV5Log | undefined {
  const problem = (reason: string) => mapped.problems.push({ where: place.where, reason });
  if (typeof value.id !== 'string' || value.id === '') return void problem('a log without an id');
  const type = LOG_TYPES.find((key) => isObject(value[key]) && typeof (value[key]).id === 'string');
  if (type === undefined) return void problem(`log ${value.id} has no file of a known type (${LOG_TYPES.join(', ')})`);
  const log = storedLog(value, type, place);
  mapped.logs.push(log);
  const depth = place.depth + 1;
  mapNested(value.trace_children, join(place.where, 'trace_children'), { traceParentId: log.id, depth }, mapped);
  mapNested(value.evaluator_logs, join(place.where, 'evaluator_logs'), { parentId: log.id, depth }, mapped);
  return log;
}

function mapNested(
  value: unknown,
  where: string,
  parent: { traceParentId?: string; parentId?: string; depth: number },
  mapped: MappedLine,
): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) return void mapped.problems.push({ where, reason: `a JSON ${kindOf(value)}, not a list of logs` });
  if (value.length > 0 && parent.depth > MAX_NESTING) return void mapped.problems.push({ where, reason: `logs nested deeper than ${MAX_NESTING} levels` });
  const under = parent.traceParentId !== undefined ? { id: parent.traceParentId, as: 'trace_parent_id' as const } : parent.parentId !== undefined ? { id: parent.parentId, as: 'parent_id' as const } : undefined;
  value.forEach((item, index) => {
    const at = `${where}[${index}]`;
    if (isObject(item)) mapLog(item, { where: at, depth: parent.depth, ...(under && { under }) }, mapped);
    else mapped.problems.push({ where: at, reason: `a JSON ${kindOf(item)}, not a log object` });
  });
}

/** The response's fields as they were, less the nested logs (stored as logs of their own), plus the store's ids. */
function storedLog(value: Record<string, unknown>, type: V5LogType, place: Place): StoredV5Log {
  const { trace_children: _children, evaluator_logs: _judgments, parent: _parent, ...fields } = value;
  const file = value[type] as Record<string, unknown>;
  const link = place.under && typeof fields[place.under.as] !== 'string' ? { [place.under.as]: place.under.id } : {};
  return {
    ...fields,
    ...link,
    id: value.id as string,
    type,
    file_id: file.id as string,
    version_id: typeof file.version_id === 'string' ? file.version_id : '',
    ...(typeof file.path === 'string' && { path: file.path }),
    request_index: IMPORTED_REQUEST_INDEX,
  };
}

function join(where: string, key: string): string {
  return where === '' ? key : `${where}.${key}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  return Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
}
