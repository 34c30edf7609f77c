import type { EvaluationDropReason } from '../log/evaluation.js';
import type { SpanDropReason } from '../log/fate.js';
import { logger, tellUser } from '../common/diag.js';
import type { HumanloopExportError } from '../common/errors.js';

/** How often, at most, later losses are summed up in one line, and deliveries said at `info`. */
const SUMMARY_MILLIS = 60_000;

/** What was lost: logs, or evaluations of logs (counted and told apart). */
type Lost = 'log' | 'evaluation';

interface Loss {
  what: Lost;
  count: number;
  reason: SpanDropReason | EvaluationDropReason;
  error: HumanloopExportError | undefined;
}

/**
 * What the user hears of deliveries without any set-up: the first loss of each kind at once, as
 * one line on stderr (how many logs, why, the host, what to check), later ones summed up at most
 * once a minute, never a line per log; and at `info`, how many logs were delivered, after each
 * flush or once a minute.
 */
export class DeliveryReport {
  /** Kinds of loss the user was told of. */
  private readonly _told = new Set<string>();
  /** Losses not told yet, by kind. */
  private readonly _losses = new Map<string, Loss>();
  private _delivered = 0;
  /** Deliveries counted so far, of the total `tell` is given. */
  private _deliveredSeen = 0;
  private _lastSummary: number;
  private _lastDelivered: number;
  private _exiting = false;

  /** `baseUrlIsDefault`: none was set, so a hint on reaching it says how to set one. */
  constructor(
    private readonly _baseUrl: URL,
    private readonly _baseUrlIsDefault: boolean,
    now: number,
  ) {
    this._lastSummary = now;
    this._lastDelivered = now;
  }

  lost(reason: SpanDropReason, error: HumanloopExportError | undefined): void {
    this._add({ what: 'log', count: 1, reason, error });
  }

  lostEvaluations(reason: EvaluationDropReason, count: number, error: HumanloopExportError | undefined): void {
    this._add({ what: 'evaluation', count, reason, error });
  }

  /**
   * Says what is due: new kinds of loss at once; the rest once a minute, or now when `final` (a
   * flush, shutdown). `delivered`: logs delivered so far, in all.
   */
  tell(now: number, delivered: number, final = false): void {
    this._delivered += delivered - this._deliveredSeen;
    this._deliveredSeen = delivered;
    for (const [kind, loss] of this._losses) {
      if (this._told.has(kind)) continue;
      this._told.add(kind);
      this._losses.delete(kind);
      // A refused key is a mistake to fix, not a passing loss.
      tellUser(`${loss.count} ${noun(loss.what, loss.count)} dropped: ${this._explain(loss)}`, loss.reason === 'unauthorized' ? 'error' : 'warn');
    }
    if (this._losses.size > 0 && (final || now - this._lastSummary >= SUMMARY_MILLIS)) this._summarize(now);
    if (this._delivered > 0 && (final || now - this._lastDelivered >= SUMMARY_MILLIS)) {
      logger.info(`delivered ${this._delivered} ${plural(this._delivered)} to ${this._baseUrl.host}`);
      this._delivered = 0;
      this._lastDelivered = now;
    }
  }

  /** The process is ending without `shutdown()`: what is lost now is lost for that. */
  exiting(): void {
    this._exiting = true;
  }

  /** When a summary is due, if anything waits to be said. */
  nextDue(): number | undefined {
    const due: number[] = [];
    if (this._losses.size > 0) due.push(this._lastSummary + SUMMARY_MILLIS);
    if (this._delivered > 0) due.push(this._lastDelivered + SUMMARY_MILLIS);
    return due.length > 0 ? Math.min(...due) : undefined;
  }

  private _add(loss: Loss): void {
    // A refused request is told of by its status (a 404 and a 400 want different fixes).
    const kind = `${loss.what}:${loss.reason}${loss.reason === 'rejected' ? `:${loss.error?.statusCode ?? ''}` : ''}`;
    const known = this._losses.get(kind);
    if (known) known.count += loss.count;
    else this._losses.set(kind, loss);
  }

  private _summarize(now: number): void {
    const losses = [...this._losses.values()];
    const parts = losses.map((loss) => `${loss.count} ${loss.what === 'evaluation' ? 'evaluations ' : ''}${describe(loss)}`);
    const count = losses.reduce((sum, loss) => sum + loss.count, 0);
    const what = losses.every((loss) => loss.what === 'log') ? plural(count) : losses.every((loss) => loss.what === 'evaluation') ? noun('evaluation', count) : 'logs and evaluations';
    tellUser(`${count} more ${what} dropped since the last report: ${parts.join(', ')}`);
    this._losses.clear();
    this._lastSummary = now;
  }

  /** Why, the host, and what to check. */
  private _explain(loss: Loss): string {
    const { reason, error } = loss;
    const cause = error ? `${error.message}` : describe(loss);
    const base = this._baseUrl.href;
    switch (reason) {
      case 'rejected':
        if (error?.statusCode === 404) return `${cause}: check that the base URL (${base}) ends in /v4 or /v5, the API's version`;
        return `${cause}: check the base URL (${base})`;
      case 'unauthorized':
        return `${cause}: Humanloop refused the API key; check HUMANLOOP_API_KEY or the apiKey option (nothing more is sent with this one)`;
      case 'invalid':
        return `${cause}: the diag warnings name each log and field refused`;
      case 'too_large':
        return `${cause}: lower maxBatchBytes, or redact the largest fields`;
      case 'expired':
      case 'buffer_full':
        return `${outage(reason, false)}${error ? ` (${error.message})` : ''}: ${this._reach()}`;
      case 'shutdown': {
        const check = error ? ` (${error.message}): ${this._reach()}; ` : this._exiting ? ': call shutdown() on the provider before the process ends, or ' : ': ';
        return `${outage(reason, this._exiting)}${check}set spoolDir to keep them for the next run`;
      }
      case 'queue_full':
        return "HumanloopSpanProcessor's queue was full: raise batch.maxQueueSize";
      case 'duplicate':
        return 'the same span was exported twice (two span processors with this exporter?)';
      case 'log_dropped':
        return 'the log they judge was not delivered (its own line says why)';
      default:
        return `${describe(loss)}: run with HUMANLOOP_LOG_LEVEL=debug to see why`;
    }
  }

  /** What to check when the API does not answer. */
  private _reach(): string {
    const base = this._baseUrl.href;
    if (!this._baseUrlIsDefault) return `check that ${base} is reachable`;
    return `no base URL is set, and nothing answers at the default ${base}: set baseUrl or HUMANLOOP_BASE_URL to your Humanloop-compatible API, or start one here with \`npx humanloop-log-server serve\``;
  }
}

function outage(reason: 'expired' | 'buffer_full' | 'shutdown', exiting: boolean): string {
  if (reason === 'shutdown') return exiting ? 'still undelivered when the process ended without shutdown()' : 'still undelivered at shutdown';
  return reason === 'expired' ? 'kept through an outage longer than maxBufferAgeMillis' : 'pushed out of the outage buffer (maxBufferedBytes)';
}

function describe({ reason, error }: Loss): string {
  return error?.statusCode === undefined ? reason.replace('_', ' ') : `${reason.replace('_', ' ')} (HTTP ${error.statusCode})`;
}

function plural(count: number): string {
  return noun('log', count);
}

function noun(what: Lost, count: number): string {
  return count === 1 ? what : `${what}s`;
}
