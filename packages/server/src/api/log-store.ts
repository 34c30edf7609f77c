import { randomBytes } from 'node:crypto';
import type { CreateLogResponse, LogRequest } from 'humanloop-otel-exporter';
import { LogList } from './log-list.js';
import { trimOldest } from './recent.js';
import type { KnownLogs } from './validate.js';

/** Feedback on a log (`POST /feedback`), as the API answers it: with its own id. */
export interface StoredFeedback {
  id: string;
  type: string;
  value?: unknown;
  data_id: string;
  user?: string;
  created_at?: string;
}

/** A log as the local server keeps it: what was sent, with the ids it was given. */
export type StoredLog = LogRequest & {
  id: string;
  project_id: string;
  session_id: string | null;
  /** Feedback given with the log (its own `feedback` field) or on it later. */
  feedback?: unknown;
  /** Which request (by index) stored it. */
  request_index: number;
};

/** The local server's logs in arrival order, with ids like the API's (`data_`, `pr_`, `sesh_`). */
export class LogStore extends LogList<StoredLog> implements KnownLogs {
  private readonly _byReference = new Map<string, StoredLog>();
  private readonly _projects = new Map<string, string>();
  private readonly _sessions = new Map<string, string>();

  add(log: LogRequest & { session_id?: string }, requestIndex: number): CreateLogResponse {
    const projectKey = log.project ?? log.project_id ?? '';
    const project_id = log.project_id ?? memo(this._projects, projectKey, 'pr_');
    const sessionRef = log.session_reference_id;
    const session_id = log.session_id ?? (sessionRef === undefined ? null : memo(this._sessions, sessionRef, 'sesh_'));
    // Ids of projects and sessions are remembered for as many as there are logs, the oldest forgotten first.
    trimOldest(this._projects, this.maxLogs);
    trimOldest(this._sessions, this.maxLogs);
    // The parsed request body is the server's own: completed in place rather than copied.
    const stored = Object.assign(log, { id: newId('data_'), project_id, session_id, request_index: requestIndex });
    this.keep(stored);
    if (typeof log.reference_id === 'string') this._byReference.set(log.reference_id, stored);
    return { id: stored.id, project_id, session_id };
  }

  /** Applies a PATCH; returns the updated log, or undefined when none matches. */
  update(id: string | undefined, referenceId: string | undefined, changes: Record<string, unknown>): StoredLog | undefined {
    const log = id !== undefined ? this.find(id) : this._byReference.get(referenceId ?? '');
    if (!log) return undefined;
    Object.assign(log, changes);
    return structuredClone(log);
  }

  /**
   * Feedback on a stored log (validated: its `data_id` names one): added to the log's feedback, or,
   * `unset`, taking away the feedback of its type. Returns the feedback and a copy of the log.
   */
  addFeedback(request: Omit<StoredFeedback, 'id'> & { unset?: boolean }): { feedback: StoredFeedback; log: StoredLog } | undefined {
    const log = this.find(request.data_id);
    if (!log) return undefined;
    const { unset, ...fields } = request;
    const feedback: StoredFeedback = { id: newId('ann_'), ...fields };
    const given: unknown[] = Array.isArray(log.feedback) ? log.feedback : log.feedback === undefined ? [] : [log.feedback];
    const kept = unset ? given.filter((item) => (item as { type?: unknown } | null)?.type !== request.type) : given;
    log.feedback = unset ? kept : [...kept, feedback];
    return { feedback, log: structuredClone(log) };
  }

  /**
   * Puts back a log kept from an earlier run (as it was stored, updates applied); a log of the
   * same id is replaced. Its project and session keep their ids for logs that follow.
   */
  restore(log: StoredLog): void {
    const stored = this.restoreLog(log);
    if (typeof stored.reference_id === 'string') this._byReference.set(stored.reference_id, stored);
    const project = stored.project ?? stored.project_id;
    if (typeof project === 'string' && !this._projects.has(project)) this._projects.set(project, stored.project_id);
    const session = stored.session_reference_id;
    if (typeof session === 'string' && typeof stored.session_id === 'string' && !this._sessions.has(session)) {
      this._sessions.set(session, stored.session_id);
    }
  }

  protected override forget(log: StoredLog): void {
    const reference = log.reference_id;
    if (typeof reference === 'string' && this._byReference.get(reference) === log) this._byReference.delete(reference);
  }

  hasReferenceId(referenceId: string): boolean {
    return this._byReference.has(referenceId);
  }

  override clear(): void {
    super.clear();
    this._byReference.clear();
  }
}

function memo(map: Map<string, string>, key: string, prefix: string): string {
  let id = map.get(key);
  if (!id) map.set(key, (id = newId(prefix)));
  return id;
}

/** Ids unique to this process: a random part drawn once, then a counter (cheaper than 12 random bytes each). */
const PROCESS_PART = randomBytes(6).toString('hex');
let counter = 0;

function newId(prefix: string): string {
  counter++;
  return `${prefix}${PROCESS_PART}${counter.toString(16).padStart(12, '0')}`;
}
