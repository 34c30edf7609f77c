import { logger, misconfigured } from '../shared/diag.js';
import { HumanloopExportError } from '../shared/errors.js';
import type { Transport } from '../transport/http-transport.js';
import type { Clock } from '../shared/clock.js';
import { deliverBatch, type Delivery } from './deliver-batch.js';
import type { Dialect, LogOutcome, OutgoingLog } from './dialect.js';
import { Fifo } from '../shared/fifo.js';

export interface SenderOptions {
  dialect: Dialect;
  transport: Transport;
  clock: Clock;
  random: () => number;
  timeoutMillis: number;
  maxBatchBytes: number;
  maxConcurrentRequests: number;
}

/** The least the byte limit of a request is lowered to: below it, a request that is too large is split anyway. */
const MIN_BATCH_BYTES = 16 * 1024;

const NO_OUTCOME: LogOutcome = {
  delivered: false,
  error: new HumanloopExportError('internal', 'internal error: a log of the request got no outcome'),
};

interface Queued {
  item: OutgoingLog;
  deadline: number;
  seq: number;
}

/** A log (or completion) that was sent, and how it fared. */
export interface Sent {
  item: OutgoingLog;
  outcome: LogOutcome;
}

/**
 * Turns queued logs into requests: as many per request as the dialect and `maxBatchBytes`
 * allow, a completion alone, at most `maxConcurrentRequests` at once; and answers into
 * outcomes. It waits to fill a batch only when told more is coming at once (batching over time
 * is the span processor's job), and calls no one: `start()` hands back a request's outcomes as a
 * promise.
 */
export class Sender {
  private readonly _queue = new Fifo<Queued>();
  private _queuedBytes = 0;
  private _active = 0;
  private _seq = 0;
  /** Logs queued before this sequence number are not sent: their API key was refused. */
  private _haltBefore = 0;
  private _unauthorizedReported = false;
  /** No request is sent or retried after this, whatever the logs' own deadlines (set while flushing). */
  private _cutoff = Infinity;
  /** Most bytes of logs a request carries: `maxBatchBytes`, or less once the API refused a request as too large. */
  private _batchBytes: number;

  constructor(private readonly _options: SenderOptions) {
    this._batchBytes = _options.maxBatchBytes;
  }

  enqueue(item: OutgoingLog, deadline: number): void {
    this._queue.push({ item, deadline, seq: this._seq++ });
    this._queuedBytes += item.bytes;
  }

  /**
   * Until `cutoff` is set back to Infinity, nothing is sent or retried after it: a flush or a
   * shutdown ends by then, and what could not go out is kept for later.
   */
  cutoff(time: number): void {
    this._cutoff = time;
  }

  /**
   * Starts the next request if one is queued and there is room; its promise never rejects.
   * `fullOnly`: more logs are about to be queued, so a request goes only if it is full (or
   * others wait for its first log).
   */
  start(fullOnly = false): Promise<Sent[]> | undefined {
    if (this._active >= this._options.maxConcurrentRequests || this._queue.length === 0) return undefined;
    if (fullOnly && !this._fullBatchQueued()) return undefined;
    this._active++;
    return this._deliver(this._takeBatch());
  }

  get queuedCount(): number {
    return this._queue.length;
  }

  get activeCount(): number {
    return this._active;
  }

  /** A request that need not wait for more: full, a completion, or led by a log that others wait for. */
  private _fullBatchQueued(): boolean {
    const { item } = this._queue.peek()!;
    return this._queue.length >= this._options.dialect.maxLogsPerRequest || this._queuedBytes >= this._batchBytes || item.completes !== undefined || item.awaited === true;
  }

  private _takeBatch(): Queued[] {
    const { dialect } = this._options;
    const first = this._take();
    const batch = [first];
    if (first.item.completes) return batch;
    let bytes = 2 + first.item.bytes;
    for (let next = this._queue.peek(); next && batch.length < dialect.maxLogsPerRequest; next = this._queue.peek()) {
      if (next.item.completes || next.item.route !== first.item.route || bytes + next.item.bytes + 1 > this._batchBytes) break;
      batch.push(next);
      bytes += next.item.bytes + 1;
      this._take();
    }
    return batch;
  }

  private _take(): Queued {
    const queued = this._queue.shift()!;
    this._queuedBytes -= queued.item.bytes;
    return queued;
  }

  private async _deliver(batch: Queued[]): Promise<Sent[]> {
    let newest = 0;
    let deadline = Infinity;
    for (const queued of batch) {
      newest = Math.max(newest, queued.seq);
      deadline = Math.min(deadline, queued.deadline);
    }
    const { dialect, transport, clock, random, timeoutMillis, maxBatchBytes } = this._options;
    const context = { dialect, transport, clock, random, timeoutMillis, maxBatchBytes, deadline: () => Math.min(deadline, this._cutoff) };
    let delivery: Delivery;
    try {
      delivery = await deliverBatch(
        batch.map((queued) => queued.item),
        { ...context, isHalted: () => newest < this._haltBefore },
      );
    } finally {
      this._active--;
    }
    const { outcomes, refusedBytes } = delivery;
    if (refusedBytes !== undefined) this._lowerBatchBytes(refusedBytes);
    return batch.map(({ item }) => {
      const outcome = outcomes.get(item.key) ?? NO_OUTCOME;
      if (!outcome.delivered && outcome.error.reason === 'unauthorized') this._halt(outcome.error.message);
      return { item, outcome };
    });
  }

  /**
   * The API refused a request of several logs as too large: later requests carry at most half of
   * it (the halves it was split into went through, or were split again and refused smaller).
   * The user hears of it once; they can set maxBatchBytes to start there.
   */
  private _lowerBatchBytes(refusedBytes: number): void {
    const lowered = Math.max(MIN_BATCH_BYTES, Math.floor(refusedBytes / 2));
    if (lowered >= this._batchBytes) return;
    const first = this._batchBytes === this._options.maxBatchBytes;
    this._batchBytes = lowered;
    const message = `Humanloop refused a request of ${refusedBytes} bytes as too large: requests now carry at most ${lowered} bytes of logs`;
    if (first) logger.warn(`${message} (set maxBatchBytes to ${lowered} to start there)`);
    else logger.debug(message);
  }

  /** The key was refused: nothing queued so far is sent, and the user hears of it once. */
  private _halt(error: string): void {
    this._haltBefore = this._seq;
    if (this._unauthorizedReported) return logger.debug(error);
    this._unauthorizedReported = true;
    misconfigured(`${error}: Humanloop refused the API key; check HUMANLOOP_API_KEY or the apiKey option`);
  }
}
