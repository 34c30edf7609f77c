import { describeError, logger } from '../diag.js';
import type { Transport } from '../transport/http-transport.js';
import type { Clock } from './clock.js';
import type { UpdateLogRequest } from '../log-request.js';
import { deliverBatch, type BatchContext } from './deliver-batch.js';
import { deliverUpdate } from './deliver-update.js';
import type { LogOutcome, OutgoingLog } from './outcome.js';
import { Fifo } from './fifo.js';
import { shrinkToFit } from './shrink.js';

export interface SenderOptions {
  transport: Transport;
  url: URL;
  clock: Clock;
  random: () => number;
  timeoutMillis: number;
  maxBatchSize: number;
  maxBatchBytes: number;
  maxConcurrentRequests: number;
  /** `deadline` is the one the log was queued with; `item` the log itself (absent for updates). */
  onOutcome(key: string, outcome: LogOutcome, deadline: number, item: OutgoingLog | undefined): void;
  onUnauthorized(error: string): void;
}

interface Queued {
  item: OutgoingLog;
  deadline: number;
  seq: number;
}

interface QueuedUpdate {
  key: string;
  referenceId: string;
  update: UpdateLogRequest;
  deadline: number;
  seq: number;
}

/**
 * Sends logs as soon as they are ready: splits what is queued into requests by count and
 * bytes, keeps at most `maxConcurrentRequests` in flight, and reports each log's outcome.
 * It never waits to fill a batch: batching over time is the span processor's job.
 */
export class Sender {
  private readonly _queue = new Fifo<Queued>();
  private _active = 0;
  private _seq = 0;
  /** Logs queued before this sequence number are dropped: their API key was refused. */
  private _haltBefore = 0;
  private _updates: QueuedUpdate[] = [];
  private _idleWaiters: Array<() => void> = [];

  constructor(private readonly _options: SenderOptions) {}

  /** Queues a log; `pump()` starts the requests, so a caller can queue a whole wave first. */
  enqueue(item: OutgoingLog, deadline: number): void {
    const fitted = item.bytes <= this._options.maxBatchBytes - 2 ? item : shrinkToFit(item, this._options.maxBatchBytes - 2);
    if (!fitted) {
      const error = 'the log is too large for one request even with its text truncated';
      queueMicrotask(() => this._options.onOutcome(item.key, { delivered: false, reason: 'too_large', error }, deadline, item));
      return;
    }
    this._queue.push({ item: fitted, deadline, seq: this._seq++ });
  }

  /** Queues the completion of a log sent earlier (`PATCH ?reference_id=`); its outcome is reported under `key`. */
  enqueueUpdate(key: string, referenceId: string, update: UpdateLogRequest, deadline: number): void {
    this._updates.push({ key, referenceId, update, deadline, seq: this._seq++ });
  }

  /** Resolves once nothing is queued or in flight. */
  whenIdle(): Promise<void> {
    if (this._isIdle()) return Promise.resolve();
    return new Promise((resolve) => this._idleWaiters.push(resolve));
  }

  get queuedCount(): number {
    return this._queue.length;
  }

  /** Starts requests for what is queued, up to the concurrency limit. */
  pump(): void {
    while (this._active < this._options.maxConcurrentRequests) {
      const update = this._updates.shift();
      if (update) {
        this._active++;
        void this._runUpdate(update);
      } else if (this._queue.length > 0) {
        this._active++;
        void this._run(this._takeBatch());
      } else {
        break;
      }
    }
    if (this._isIdle()) this._notifyIdle();
  }

  private async _runUpdate(queued: QueuedUpdate): Promise<void> {
    try {
      const outcome = await deliverUpdate(queued.referenceId, queued.update, this._batchContext([queued]));
      this._options.onOutcome(queued.key, outcome, queued.deadline, undefined);
    } catch (error) {
      logger.error(`internal error while completing a log: ${describeError(error)}`);
    } finally {
      this._active--;
      this.pump();
    }
  }

  private _takeBatch(): Queued[] {
    const { maxBatchSize, maxBatchBytes } = this._options;
    const batch: Queued[] = [];
    let bytes = 2;
    for (let next = this._queue.peek(); next && batch.length < maxBatchSize; next = this._queue.peek()) {
      const added = next.item.bytes + (batch.length > 0 ? 1 : 0);
      if (batch.length > 0 && bytes + added > maxBatchBytes) break;
      batch.push(next);
      bytes += added;
      this._queue.shift();
    }
    return batch;
  }

  private async _run(batch: Queued[]): Promise<void> {
    let outcomes: Map<string, LogOutcome> | undefined;
    try {
      outcomes = await deliverBatch(
        batch.map((queued) => queued.item),
        this._batchContext(batch),
      );
    } catch (error) {
      logger.error(`internal error while delivering ${batch.length} logs: ${describeError(error)}`);
    }
    try {
      for (const { item, deadline } of batch) {
        const outcome = outcomes?.get(item.key) ?? { delivered: false, reason: 'rejected', error: 'internal error' };
        this._options.onOutcome(item.key, outcome, deadline, item);
      }
    } catch (error) {
      logger.error(`internal error after delivering ${batch.length} logs: ${describeError(error)}`);
    } finally {
      this._active--;
      this.pump();
    }
  }

  private _batchContext(batch: Array<{ seq: number; deadline: number }>): BatchContext {
    let newest = 0;
    let deadline = Infinity;
    for (const queued of batch) {
      newest = Math.max(newest, queued.seq);
      deadline = Math.min(deadline, queued.deadline);
    }
    return {
      transport: this._options.transport,
      url: this._options.url,
      clock: this._options.clock,
      random: this._options.random,
      timeoutMillis: this._options.timeoutMillis,
      deadline,
      isHalted: () => newest < this._haltBefore,
      onUnauthorized: (error) => {
        this._haltBefore = this._seq;
        this._options.onUnauthorized(error);
      },
    };
  }

  private _isIdle(): boolean {
    return this._active === 0 && this._queue.length === 0 && this._updates.length === 0;
  }

  private _notifyIdle(): void {
    const waiters = this._idleWaiters;
    this._idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

