import type { SpanDropReason } from '../log/fate.js';
import { logger, tellUser } from '../shared/diag.js';
import type { HumanloopExportError } from '../shared/errors.js';

/** How often, at most, later losses are summed up in one line, and deliveries said at `info`. */
const SUMMARY_MILLIS = 60_000;

interface Loss {
  count: number;
  reason: SpanDropReason;
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
    // A refused request is told of by its status (a 404 and a 400 want different fixes).
    const kind = reason === 'rejected' ? `${reason}:${error?.statusCode ?? ''}` : reason;
    const loss = this._losses.get(kind);
    if (loss) loss.count++;
    else this._losses.set(kind, { count: 1, reason, error });
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
      tellUser(`${loss.count} ${plural(loss.count)} dropped: ${this._explain(loss)}`, loss.reason === 'unauthorized' ? 'error' : 'warn');
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

  private _summarize(now: number): void {
    const parts = [...this._losses.values()].map((loss) => `${loss.count} ${describe(loss)}`);
    const count = [...this._losses.values()].reduce((sum, loss) => sum + loss.count, 0);
    tellUser(`${count} more ${plural(count)} dropped since the last report: ${parts.join(', ')}`);
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
      default:
        return `${describe(loss)}: run with HUMANLOOP_LOG_LEVEL=debug to see why`;
    }
  }

  /** What to check when the API does not answer. */
  private _reach(): string {
    const base = this._baseUrl.href;
    if (!this._baseUrlIsDefault) return `check that ${base} is reachable`;
    return `no base URL is set, and nothing answers at the default ${base}: set baseUrl or HUMANLOOP_BASE_URL to your Humanloop-compatible API, or start one here with \`npx humanloop-otel-exporter serve\``;
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
  return count === 1 ? 'log' : 'logs';
}
