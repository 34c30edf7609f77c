import { decodeLog, encodeLog } from '../log/log-json.js';
import { dropReasonOf, FateCounts, isChosen, type Fate, type SkipReason, type SpanCounts, type SpanDropReason } from '../log/fate.js';
import type { LogIds, LogOutcome, OutgoingLog } from '../log/outgoing-log.js';
import type { Link, UnlinkedLog } from '../log/unlinked-log.js';
import type { BookEffect, ExportId } from '../log/steps.js';
import type { SpoolEntry } from '../log/spool-entry.js';
import { evaluationDropReason, EvaluationTally, type EvaluationCounts, type EvaluationDropReason, type HeldEvaluation, type Judgment } from '../log/evaluation.js';
import { HumanloopExportError, isItemReason, isTransient } from '../common/errors.js';

/**
 * Where a log is in its life:
 * - `waiting`: created (its span mapped), waiting in the trace stage for its parent's log;
 * - `queued`: linked and written, queued for a request;
 * - `in_flight`: in a request;
 * - `kept`: not delivered in time, kept through an outage for a later attempt;
 * - `open`: created open (before its span ended, or to take children) and delivered; its
 *   completion comes once its span has ended (and, where the API wants it, its children are through).
 * A log whose life has ended is settled with its one fate and leaves the book.
 */
export type LogState = 'waiting' | 'queued' | 'in_flight' | 'kept' | 'open';

/**
 * Whose fate a record is: a span this process saw end, a log an earlier process spooled, none
 * (open for a span still running), or an evaluation's (counted apart from logs).
 */
type Counted = 'span' | 'restored' | 'none' | 'evaluation';

interface OpenLog {
  /** Created for a span still running. */
  early: boolean;
  /** Its create failed for good while its span ran: its span's end goes whole, as a new log. */
  failed?: HumanloopExportError;
  /** What its create returned, once delivered. */
  created: LogIds | undefined;
  /** Its span's whole log, once the span ended (a log created open to take children has it from the start). */
  end: UnlinkedLog | undefined;
  /**
   * Children linked under it not through yet (their create, and those of the logs under them, not
   * delivered or dropped), where its completion waits for them.
   */
  children: number;
}

interface LogRecord {
  readonly key: string;
  state: LogState;
  /** The log as created, unlinked: what goes whole if an open create fails, and what is spooled. */
  log: UnlinkedLog | undefined;
  link: Link | undefined;
  /** What is queued, in flight or kept: the log's create, or its completion. */
  item: OutgoingLog | undefined;
  owner: ExportId | undefined;
  counted: Counted;
  /** When it first failed to go out, on the exporter's clock, and why it last did. */
  since: number | undefined;
  lastError: HumanloopExportError | undefined;
  /** The spool file it was read from. */
  file: string | undefined;
  open: OpenLog | undefined;
  /** The open log it is a child of, whose completion waits for it. */
  under: string | undefined;
  /** Evaluations of its log not written yet: they go once its create is delivered and its span has ended. */
  evaluations: readonly HeldEvaluation[];
  /** Evaluations of its log written so far (each takes the next key). */
  judged: number;
  /** Set on an evaluation's own record (it has no log): what it is, and the log it judges. */
  judgment: Judgment | undefined;
}

export interface LogBookOptions {
  /** Whether an open log is completed only once the children linked under it are through (v5). */
  completesAfterChildren: boolean;
}

export interface BookStats {
  spans: SpanCounts;
  restored: SpanCounts;
  evaluations: EvaluationCounts;
}

/** What a spool read back asks of the other parts, in this order. */
export interface Restoring {
  /** Logs created by the earlier process that restored logs go under: their ids, for linking. */
  parents: Array<{ spanId: string; logId: string | undefined; session: string }>;
  /** Logs to link and create. */
  logs: UnlinkedLog[];
  /** Then: logs already linked (from an older spool) kept for their first attempt, completions of open logs (once their children are through). */
  effects: BookEffect[];
}

const KEPT_NOTE = 'kept for a later attempt';

/**
 * The one owner of each log's life, keyed by its span id: it holds where each log is, decides
 * each log's fate and counts it, exactly once. The other parts act on what it answers: the trace
 * stage on deliveries and drops (children released or linked past), custody on what an outage
 * keeps, the export ledger on which export still waits for which log. It calls no one.
 */
export class LogBook {
  private readonly _records = new Map<string, LogRecord>();
  private readonly _spans = new FateCounts();
  private readonly _restored = new FateCounts();
  private readonly _evaluations = new EvaluationTally();
  /** Set when a request failed for want of an API that answers, cleared by the next delivery. */
  private _outage = false;

  constructor(private readonly _options: LogBookOptions) {}

  /** Spans handed to the exporter (by `export()`, or dropped by the processor's queue). */
  seen(count: number): void {
    this._spans.seen(count);
  }

  /** While an outage lasts new logs are kept at once, without a request. */
  get inOutage(): boolean {
    return this._outage;
  }

  /** Whether this span's log was created open and is not completed yet: the span's end completes it. */
  isOpen(key: string): boolean {
    return this._records.get(key)?.open !== undefined;
  }

  has(key: string): boolean {
    return this._records.has(key);
  }

  /** Logs not settled yet. */
  get size(): number {
    return this._records.size;
  }

  /**
   * A span ended and its log was created: it waits for its place in the trace. The end of a span
   * whose log is open completes that log instead.
   */
  created(log: UnlinkedLog, owner: ExportId | undefined): BookEffect[] {
    const record = this._records.get(log.spanId);
    if (record?.open && !record.open.end) return this._ended(record, log, owner);
    const evaluations = log.evaluations ?? [];
    this._evaluations.seen(evaluations.length);
    if (record) {
      this._spans.count('duplicate');
      return [{ kind: 'lost', reason: 'duplicate', error: undefined }, ...this._dropEvaluations(evaluations.length, 'duplicate')];
    }
    this._add({ key: log.spanId, state: 'waiting', log, owner, counted: 'span', evaluations });
    return owner === undefined ? [] : [{ kind: 'owned', owner }];
  }

  /** What is known of a running span was logged early, so that its children can go under it. */
  opened(log: UnlinkedLog): BookEffect[] {
    if (this._records.has(log.spanId)) return [];
    const open: OpenLog = { early: true, created: undefined, end: undefined, children: 0 };
    this._add({ key: log.spanId, state: 'waiting', log, owner: undefined, counted: 'none', open });
    return [];
  }

  /**
   * A span ended without a log (`reason`), or a span the processor's queue dropped. A log already
   * created open for it is completed with what it has (its duration), and counts as delivered.
   */
  skipped(spanId: string, parentSpanId: string | undefined, reason: SpanDropReason, durationSeconds: number | undefined, owner: ExportId | undefined): BookEffect[] {
    const record = this._records.get(spanId);
    // An open create that failed leaves nothing to complete: the span's end is counted as any other.
    if (record?.open?.failed) this._records.delete(spanId);
    else if (record?.open && !record.open.end && record.log) {
      return this._ended(record, closingLog(record.log, durationSeconds, reason), owner);
    }
    this._spans.count(reason);
    const effects: BookEffect[] = [{ kind: 'no-log', spanId, parentSpanId }];
    if (!isChosen(reason)) effects.push({ kind: 'lost', reason, error: undefined });
    return effects;
  }

  /** A span that could not be read at all. */
  unreadable(): BookEffect[] {
    this._spans.count('mapping_error');
    return [{ kind: 'lost', reason: 'mapping_error', error: undefined }];
  }

  /** Logs delivered so far, spans' and restored ones. */
  get deliveredCount(): number {
    return this._spans.delivered + this._restored.delivered;
  }

  /** The trace stage released the log under `link`: it is written next (`hasChildren`: logs will go under it). */
  released(log: UnlinkedLog, link: Link, hasChildren: boolean, owner: ExportId | undefined): BookEffect[] {
    const record = this._records.get(log.spanId);
    if (!record) return [];
    const effects: BookEffect[] = [];
    record.log = log;
    record.link = link;
    if (record.owner === undefined && owner !== undefined) {
      record.owner = owner;
      effects.push({ kind: 'owned', owner });
    }
    this._countAsChild(record, link);
    effects.push({ kind: 'write', log, link, open: hasChildren || record.open?.early === true });
    return effects;
  }

  /** A log's create or completion, written in the API's body: it goes, or during an outage is kept at once. */
  written(item: OutgoingLog, now: number): BookEffect[] {
    const record = this._records.get(item.key);
    if (!record) return [];
    record.item = item;
    if (item.open && !record.open) record.open = { early: false, created: undefined, end: record.log, children: 0 };
    if (this._outage) return this._keep(record, now, new HumanloopExportError('unreachable', 'Humanloop is unreachable'));
    record.state = 'queued';
    return [{ kind: 'send', item, owner: record.owner }];
  }

  /** These logs are in a request now. */
  sending(keys: readonly string[]): void {
    for (const key of keys) {
      const record = this._records.get(key);
      if (record?.state === 'queued') record.state = 'in_flight';
    }
  }

  /** How a request fared for one log. */
  answered(key: string, outcome: LogOutcome, now: number): BookEffect[] {
    const record = this._records.get(key);
    if (record?.state !== 'in_flight' || !record.item) return [];
    if (outcome.delivered) return this._delivered(record, outcome.created);
    if (isTransient(outcome.error.reason)) {
      if (outcome.tried) this._outage = true;
      return this._keep(record, now, outcome.error);
    }
    return this._failed(record, outcome.error);
  }

  /** Kept logs custody had to let go (no room, too old): dropped for good. */
  evicted(evicted: ReadonlyArray<{ key: string; reason: 'buffer_full' | 'expired' }>): BookEffect[] {
    const effects: BookEffect[] = [];
    for (const { key, reason } of evicted) {
      const record = this._records.get(key);
      if (record?.state !== 'kept') continue;
      const error = new HumanloopExportError('unreachable', `dropped: ${reason.replace('_', ' ')}`);
      effects.push(...this._dropOpenOrSettle(record, reason, error));
    }
    return effects;
  }

  /** Kept logs whose retry is due: they go again. */
  retrying(keys: readonly string[]): BookEffect[] {
    const effects: BookEffect[] = [];
    for (const key of keys) {
      const record = this._records.get(key);
      if (record?.state !== 'kept' || !record.item) continue;
      record.state = 'queued';
      effects.push({ kind: 'send', item: record.item, owner: undefined });
    }
    return effects;
  }

  /** The log was folded into the log of an enclosing call (`into`): its evaluations go with that log. */
  merged(key: string, into: string): BookEffect[] {
    const record = this._records.get(key);
    if (!record) return [];
    const moved = record.evaluations;
    record.evaluations = [];
    return [...this._settle(record, 'merged', undefined), ...this._judge(into, moved)];
  }

  /** The log waits for a span not ended or a kept parent: its export need not wait for it. */
  waiting(key: string): BookEffect[] {
    const record = this._records.get(key);
    return record ? this._letGo(record, undefined) : [];
  }

  /**
   * An open log that was created: once the logs under it are created too, its parent's completion
   * no longer waits for it (a completion waits for the creates of the logs under it, at any depth,
   * not for their completions).
   */
  leaving(key: string): BookEffect[] {
    const record = this._records.get(key);
    if (!record?.open?.created || record.open.children > 0) return [];
    return this._leaveParent(record);
  }

  /** The completion of an open log, if it may go now: delivered, its span ended, and its children through. */
  completion(key: string): BookEffect[] {
    const record = this._records.get(key);
    const open = record?.open;
    if (record?.state !== 'open' || !open?.created || !open.end) return [];
    if (this._options.completesAfterChildren && open.children > 0) return [];
    return [{ kind: 'write-completion', end: open.end, created: open.created }];
  }

  /**
   * At shutdown: logs created open for spans that are still running are completed with what is
   * known (their duration so far), so that none is left open for ever.
   */
  closeRunning(wallNow: number): BookEffect[] {
    const effects: BookEffect[] = [];
    for (const record of [...this._records.values()]) {
      if (!record.open?.early || record.open.end || !record.log) continue;
      // A span of its own now, seen here though it never ended.
      this._spans.seen(1);
      record.counted = 'span';
      if (record.open.failed) effects.push(...this._settle(record, dropReasonOf(record.open.failed), record.open.failed));
      else effects.push(...this._ended(record, closingLog(record.log, secondsSince(record.log, wallNow), 'shutdown'), undefined));
    }
    return effects;
  }

  /**
   * At shutdown, after the last flush: what is not settled, as spool entries. `parentOf` names the
   * span a waiting log waits for. Call `spooled` with the result of writing them.
   */
  unsettled(wallNow: number, now: number, parentOf: (key: string) => string | undefined): SpoolEntry[] {
    const entries: SpoolEntry[] = [];
    for (const record of this._records.values()) {
      const entry = this._spoolEntry(record, wallNow - (now - (record.since ?? now)), parentOf);
      if (entry) entries.push(entry);
    }
    return entries;
  }

  /** Every log not settled is spooled (`written`), or dropped as undelivered at shutdown. */
  spooled(written: boolean): BookEffect[] {
    const effects: BookEffect[] = [];
    const error = new HumanloopExportError('shutdown', written ? 'spooled for the next process' : 'undelivered at shutdown');
    for (const record of [...this._records.values()]) effects.push(...this._settle(record, written ? 'spooled' : 'shutdown', error));
    return effects;
  }

  /**
   * Logs an earlier process spooled, read back (`since` in wall-clock time): they keep their age,
   * go under the parents they had, and open logs are completed once their children are through.
   */
  restored(entries: ReadonlyArray<{ entry: SpoolEntry; file: string }>, now: number, wallNow: number): Restoring {
    const restoring: Restoring = { parents: [], logs: [], effects: [] };
    for (const { entry, file } of entries) {
      if (this._records.has(entry.key)) {
        restoring.effects.push({ kind: 'spool-settled', file });
        continue;
      }
      const since = now - Math.max(0, wallNow - entry.since);
      if (entry.kind === 'evaluation') {
        this._evaluations.seen(1);
        this._add({ key: entry.key, state: 'waiting', counted: 'evaluation', since, file, judgment: entry.judgment });
        restoring.effects.push({ kind: 'write-evaluation', judgment: entry.judgment });
        continue;
      }
      this._restored.seen(1);
      const base = { key: entry.key, counted: 'restored' as const, since, file };
      if (entry.kind === 'linked') {
        this._add({ ...base, state: 'kept', item: entry.item });
        restoring.effects.push({ kind: 'keep', key: entry.key, bytes: entry.item.bytes, since });
        continue;
      }
      const log = restoredLog(entry, now);
      const session = entry.session ?? entry.traceId;
      if (entry.kind === 'complete') {
        this._add({ ...base, state: 'open', log, open: { early: false, created: entry.created, end: log, children: 0 } });
        restoring.parents.push({ spanId: entry.key, logId: entry.created.logId, session });
        restoring.effects.push({ kind: 'try-complete', key: entry.key });
      } else {
        const evaluations = entry.evaluations ?? [];
        this._evaluations.seen(evaluations.length);
        this._add({ ...base, state: 'waiting', log, evaluations });
        if (entry.parent?.logId !== undefined) restoring.parents.push({ ...entry.parent, session });
        restoring.logs.push(log);
      }
    }
    return restoring;
  }

  stats(): BookStats {
    return { spans: this._spans.snapshot(), restored: this._restored.snapshot(), evaluations: this._evaluations.snapshot() };
  }

  private _add(fields: Partial<LogRecord> & Pick<LogRecord, 'key' | 'state' | 'counted'>): void {
    this._records.set(fields.key, {
      log: undefined,
      link: undefined,
      item: undefined,
      owner: undefined,
      since: undefined,
      lastError: undefined,
      file: undefined,
      open: undefined,
      under: undefined,
      evaluations: [],
      judged: 0,
      judgment: undefined,
      ...fields,
    });
  }

  /** The span of an open log ended with this whole log: its completion goes once the log is delivered (and its children are through). */
  private _ended(record: LogRecord, end: UnlinkedLog, owner: ExportId | undefined): BookEffect[] {
    const open = record.open!;
    if (record.counted === 'none') record.counted = 'span';
    const arrived = end.evaluations ?? [];
    this._evaluations.seen(arrived.length);
    if (arrived.length > 0) record.evaluations = [...record.evaluations, ...arrived];
    const effects: BookEffect[] = [];
    if (owner !== undefined && record.owner === undefined) {
      record.owner = owner;
      effects.push({ kind: 'owned', owner });
    }
    // Its create failed while its span ran: the whole log goes now, as an ordinary one.
    if (open.failed) return [...effects, ...this._relink(record, end)];
    open.end = end;
    // Kept, or waiting for children during an outage: its export need not wait for the outage to end.
    const outage = record.state === 'kept' || (this._outage && open.children > 0);
    if (outage) effects.push(...this._letGo(record, new HumanloopExportError('unreachable', `${KEPT_NOTE}: Humanloop is unreachable`)));
    // Created already: its evaluations go now, beside its completion.
    if (open.created) effects.push(...this._writeEvaluations(record, open.created.logId));
    effects.push({ kind: 'try-complete', key: record.key });
    return effects;
  }

  /** The same span's log again, whole and unlinked, to go as an ordinary one (an open create failed): a new log, of a new age. */
  private _relink(record: LogRecord, whole: UnlinkedLog): BookEffect[] {
    const { key, owner, counted, file, under, evaluations, judged } = record;
    this._records.delete(key);
    this._add({ key, state: 'waiting', log: whole, owner, counted, file, under, evaluations, judged });
    return [{ kind: 'relink', log: whole }];
  }

  private _delivered(record: LogRecord, created: LogIds): BookEffect[] {
    const effects: BookEffect[] = [];
    if (this._outage) effects.push({ kind: 'recovered' });
    this._outage = false;
    if (record.judgment) return [...effects, ...this._settle(record, 'delivered', undefined)];
    const isCreate = record.item?.completes === undefined;
    if (!isCreate || !record.open) {
      // What it releases joins its export before the export hears it is through.
      if (isCreate) effects.push({ kind: 'delivered', key: record.key, logId: created.logId, owner: record.owner }, ...this._writeEvaluations(record, created.logId));
      effects.push(...this._settle(record, 'delivered', undefined));
      return effects;
    }
    record.state = 'open';
    record.item = undefined;
    record.open.created = created;
    effects.push({ kind: 'delivered', key: record.key, logId: created.logId, owner: record.owner }, ...this._writeEvaluations(record, created.logId));
    effects.push({ kind: 'try-complete', key: record.key });
    // Once what its delivery released is linked: is all under it created, so that its parent may complete?
    if (record.under !== undefined) effects.push({ kind: 'try-leave', key: record.key });
    // Open for a span still running: its export need not wait for that span to end (its end's export will).
    if (!record.open.end) effects.push(...this._letGo(record, undefined));
    return effects;
  }

  /** Not delivered in time: kept for a later attempt; its export need not wait, and what waits for it waits with it. */
  private _keep(record: LogRecord, now: number, error: HumanloopExportError): BookEffect[] {
    record.state = 'kept';
    record.since ??= now;
    record.lastError = error;
    const effects: BookEffect[] = [{ kind: 'keep', key: record.key, bytes: record.item!.bytes, since: record.since }];
    effects.push(...this._letGo(record, error.withLogs(1, KEPT_NOTE)));
    // An open parent whose completion waits for this child need not hold its export through the outage either.
    const parent = record.under === undefined ? undefined : this._records.get(record.under);
    if (parent?.open?.end) effects.push(...this._letGo(parent, error.withLogs(1, KEPT_NOTE)));
    if (record.item!.completes === undefined && !record.judgment) effects.push({ kind: 'kept', key: record.key });
    return effects;
  }

  private _failed(record: LogRecord, error: HumanloopExportError): BookEffect[] {
    return this._dropOpenOrSettle(record, dropReasonOf(error), error);
  }

  /**
   * A log that will not be delivered. The create of a log opened early for a running span is not
   * its span's log: its children link past it, and once the span ends its whole log goes as a new one.
   */
  private _dropOpenOrSettle(record: LogRecord, fate: SpanDropReason, error: HumanloopExportError): BookEffect[] {
    const open = record.open;
    const isCreate = record.item?.completes === undefined;
    if (!isCreate || !open?.early) {
      const effects: BookEffect[] = isCreate && !record.judgment ? [{ kind: 'dropped', key: record.key, owner: record.owner }] : [];
      effects.push(...this._settle(record, fate, error));
      return effects;
    }
    const effects: BookEffect[] = [{ kind: 'dropped', key: record.key, owner: record.owner }];
    // Its span has ended: the whole log goes as an ordinary one, the same record of that span (its export, its parent's child).
    if (open.end) return [...effects, ...this._relink(record, open.end)];
    // Its span still runs: its end goes whole; should it never end, the failure is its fate at shutdown.
    open.failed = error;
    record.state = 'waiting';
    record.item = undefined;
    return [...effects, ...this._letGo(record, isItemReason(error.reason) ? undefined : error), ...this._leaveParent(record)];
  }

  /** The export no longer waits for this log; `error` when the log failed it. */
  private _letGo(record: LogRecord, error: HumanloopExportError | undefined): BookEffect[] {
    const owner = record.owner;
    if (owner === undefined) return [];
    record.owner = undefined;
    return [{ kind: 'let-go', owner, error }];
  }

  /** A log's life ends with this fate, counted once; what waited on it as a child is told. */
  private _settle(record: LogRecord, fate: Fate, error: HumanloopExportError | undefined): BookEffect[] {
    this._records.delete(record.key);
    if (record.counted === 'span') this._spans.count(fate);
    else if (record.counted === 'restored') this._restored.count(fate);
    const failed = error !== undefined && fate !== 'delivered' && fate !== 'merged' && !isItemReason(error.reason);
    const effects = this._letGo(record, failed ? error : undefined);
    // Why a log was still undelivered at shutdown is why it was kept, if it was.
    const cause = record.lastError ?? (fate === 'shutdown' ? undefined : error);
    if (record.counted === 'evaluation') {
      const evaluationFate = fate === 'delivered' || fate === 'spooled' ? fate : evaluationDropReason(fate);
      this._evaluations.count(evaluationFate);
      if (evaluationFate !== 'delivered' && evaluationFate !== 'spooled') effects.push({ kind: 'lost-evaluations', reason: evaluationFate, count: 1, error: cause });
    } else if (fate !== 'delivered' && fate !== 'merged' && fate !== 'spooled' && !isChosen(fate) && record.counted !== 'none') {
      effects.push({ kind: 'lost', reason: fate, error: cause });
    }
    effects.push(...this._settleEvaluations(record, fate));
    if (record.file !== undefined) effects.push({ kind: 'spool-settled', file: record.file });
    effects.push(...this._leaveParent(record));
    return effects;
  }

  /** The log was created (`logId`): its evaluations known so far go now, each as a record of its own, in its export. */
  private _writeEvaluations(record: LogRecord, logId: string | undefined): BookEffect[] {
    const { evaluations, owner } = record;
    if (evaluations.length === 0) return [];
    record.evaluations = [];
    if (logId === undefined) return this._dropEvaluations(evaluations.length, 'log_dropped');
    const traceId = (record.open?.end ?? record.log)?.traceId ?? '';
    const effects: BookEffect[] = [];
    for (const evaluation of evaluations) {
      const key = this._judgmentKey(record);
      const judgment: Judgment = { key, traceId, logKey: record.key, logId, evaluation };
      this._add({ key, state: 'waiting', counted: 'evaluation', owner, judgment });
      if (owner !== undefined) effects.push({ kind: 'owned', owner });
      effects.push({ kind: 'write-evaluation', judgment });
    }
    return effects;
  }

  /** A key of its own for the log's next evaluation, never one its earlier evaluations had. */
  private _judgmentKey(record: LogRecord): string {
    let key: string;
    do key = `${record.key}-e${record.judged++}`;
    while (this._records.has(key));
    return key;
  }

  /** Evaluations of a log folded into another go with that one: now if it is created, else once it is. */
  private _judge(into: string, moved: readonly HeldEvaluation[]): BookEffect[] {
    if (moved.length === 0) return [];
    const target = this._records.get(into);
    if (!target || target.judgment) return this._dropEvaluations(moved.length, 'log_dropped');
    target.evaluations = [...target.evaluations, ...moved];
    return target.open?.created ? this._writeEvaluations(target, target.open.created.logId) : [];
  }

  /** A log's life ended: its evaluations not written yet end with it, spooled with it, or dropped. */
  private _settleEvaluations(record: LogRecord, fate: Fate): BookEffect[] {
    const count = record.evaluations.length;
    if (count === 0) return [];
    record.evaluations = [];
    if (fate === 'spooled' && carriesEvaluations(record)) {
      this._evaluations.count('spooled', count);
      return [];
    }
    return this._dropEvaluations(count, fate === 'spooled' || fate === 'shutdown' ? 'shutdown' : 'log_dropped');
  }

  private _dropEvaluations(count: number, reason: EvaluationDropReason): BookEffect[] {
    if (count === 0) return [];
    this._evaluations.count(reason, count);
    return [{ kind: 'lost-evaluations', reason, count, error: undefined }];
  }

  /** A child of an open log is through: its parent's completion may go now. */
  private _leaveParent(record: LogRecord): BookEffect[] {
    const parent = record.under === undefined ? undefined : this._records.get(record.under);
    record.under = undefined;
    if (!parent?.open) return [];
    parent.open.children--;
    const effects: BookEffect[] = [{ kind: 'try-complete', key: parent.key }];
    // The parent created, and all under it created too: it no longer holds up its own parent.
    if (parent.open.children === 0 && parent.open.created) effects.push(...this._leaveParent(parent));
    return effects;
  }

  /** A log linked under an open log whose completion waits for its children counts as one of them. */
  private _countAsChild(record: LogRecord, link: Link): void {
    if (!this._options.completesAfterChildren || !link.parent || record.under !== undefined) return;
    const parent = this._records.get(link.parent.spanId);
    if (!parent?.open) return;
    parent.open.children++;
    record.under = parent.key;
  }

  private _spoolEntry(record: LogRecord, since: number, parentOf: (key: string) => string | undefined): SpoolEntry | undefined {
    const { key, log, open } = record;
    if (record.judgment) return { kind: 'evaluation', key, since, judgment: record.judgment };
    if (open?.created && open.end) {
      return { kind: 'complete', key, since, traceId: open.end.traceId, session: record.link?.session ?? open.end.session, created: open.created, body: open.end.body };
    }
    if (open?.created) return undefined;
    const whole = open?.end ?? log;
    if (!whole) return record.item ? { kind: 'linked', key, since, item: record.item } : undefined;
    const entry: SpoolEntry = { kind: 'create', key, since, traceId: whole.traceId, session: record.link?.session ?? whole.session, parent: this._spoolParent(record, parentOf), path: whole.path, body: whole.body };
    return record.evaluations.length > 0 ? { ...entry, evaluations: record.evaluations } : entry;
  }

  /** The parent a spooled log goes under in the next process: one delivered here (by id), or one spooled too. */
  private _spoolParent(record: LogRecord, parentOf: (key: string) => string | undefined): { spanId: string; logId: string | undefined } | undefined {
    if (record.link) return record.link.parent;
    const waitsFor = parentOf(record.key);
    const parent = waitsFor === undefined ? undefined : this._records.get(waitsFor);
    if (!parent) return undefined;
    return { spanId: parent.key, logId: parent.open?.created?.logId };
  }
}

/** Whether the log's spool entry carries its evaluations: an entry to create it (see `_spoolEntry`). */
function carriesEvaluations(record: LogRecord): boolean {
  return !record.judgment && !record.open?.created && (record.open?.end ?? record.log) !== undefined;
}

/** The log an open log is completed with when its span's end makes no log: what it was created with, and its duration. */
function closingLog(created: UnlinkedLog, durationSeconds: number | undefined, reason: SkipReason | SpanDropReason): UnlinkedLog {
  const log = decodeLog(created.body);
  const { placeholder: _placeholder, ...metadata } = log.metadata ?? {};
  const closed = { ...log, metadata: { ...metadata, closed_without_end: reason } };
  if (durationSeconds !== undefined) closed.duration = durationSeconds;
  return { ...created, body: encodeLog(closed) };
}

function secondsSince(log: UnlinkedLog, wallNow: number): number | undefined {
  const started = Date.parse(decodeLog(log.body).created_at ?? '');
  return Number.isFinite(started) ? Math.max(0, (wallNow - started) / 1000) : undefined;
}

function restoredLog(entry: Extract<SpoolEntry, { kind: 'create' | 'complete' }>, now: number): UnlinkedLog {
  const parentSpanId = entry.kind === 'create' ? entry.parent?.spanId : undefined;
  const log: UnlinkedLog = { spanId: entry.key, traceId: entry.traceId, parentSpanId, session: entry.session, createdAt: now, body: entry.body };
  return entry.kind === 'create' && entry.path !== undefined ? { ...log, path: entry.path } : log;
}
