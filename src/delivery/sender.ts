import type { LogOutcome, OutgoingLog } from '../log/outgoing-log.js';
import type { Clock } from '../common/clock.js';
import { logger } from '../common/diag.js';
import { HumanloopExportError } from '../common/errors.js';
import { Fifo } from '../common/fifo.js';
import type { Transport } from '../transport/http-transport.js';
import { deliverBatch, type Delivery } from './deliver-batch.js';
import type { Dialect } from './dialect.js';

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
  tried: true,
};

interface Queued {
  item: OutgoingLog;
  deadline: number;
}

/** A log (or completion) that was sent, and how it fared. */
export interface Sent {
  item: OutgoingLog;
  outcome: LogOutcome;
}

/** A request started: the keys of its logs, and their outcomes (a promise that never rejects). */
export interface Started {
  keys: string[];
  outcomes: Promise<Sent[]>;
}

/**
 * Turns queued logs into requests: as many per request as the dialect and `maxBatchBytes`
 * allow, a completion alone, at most `maxConcurrentRequests` at once; and answers into
 * outcomes. It waits to fill a batch only when told more is coming at once (batching over time
 * is the span processor's job), and calls no one: `start()` hands back a request's outcomes.
 */
export class Sender {
  private readonly _queue = new Fifo<Queued>();
  private _queuedBytes = 0;
  private _active = 0;
  /** Set once the API refused the key: nothing more is sent, until the exporter is made again. */
  private _halted = false;
  /** No request is started and no retry waited for after this (a flush or shutdown under way). */
  private _cutoff = Infinity;
  /** Aborted when a cutoff comes, to wake the retry waits under way. */
  private _wake = new AbortController();
  /** Most bytes of logs a request carries: `maxBatchBytes`, or less once the API refused a request as too large. */
  private _batchBytes: number;

  constructor(private readonly _options: SenderOptions) {
    this._batchBytes = _options.maxBatchBytes;
  }

  enqueue(item: OutgoingLog, deadline: number): void {
    this._queue.push({ item, deadline });
    this._queuedBytes += item.bytes;
  }

  /**
   * Until it is set back to Infinity, no request is started and no retry waited for after
   * `time` (a flush or shutdown under way); call `wake()` when it comes.
   */
  setCutoff(time: number): void {
    this._cutoff = time;
  }

  /** A cutoff came: retry waits under way wake (and find they may not go on). */
  wake(): void {
    this._wake.abort();
    this._wake = new AbortController();
  }

  /** Whether the API refused the key: every log fails as unauthorized without a request. */
  get halted(): boolean {
    return this._halted;
  }

  /**
   * Starts the next request if one is queued and there is room. `fullOnly`: more logs are about
   * to be queued, so a request goes only if it is full (or others wait for its first log).
   */
  start(fullOnly = false): Started | undefined {
    if (this._active >= this._options.maxConcurrentRequests || this._queue.length === 0) return undefined;
    if (fullOnly && !this._fullBatchQueued()) return undefined;
    this._active++;
    const batch = this._takeBatch();
    return { keys: batch.map((queued) => queued.item.key), outcomes: this._deliver(batch) };
  }

  get queuedCount(): number {
    return this._queue.length;
  }

  get cutoff(): number {
    return this._cutoff;
  }

  get activeCount(): number {
    return this._active;
  }

  /** A request that need not wait for more: full, a completion, or led by a log that others wait for. */
  private _fullBatchQueued(): boolean {
    const { item } = this._queue.peek()!;
    return this._queue.length >= this._options.dialect.maxLogsPerRequest || this._queuedBytes >= this._batchBytes || item.completes !== undefined || item.leads === true;
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
    const deadline = Math.min(...batch.map((queued) => queued.deadline));
    const { dialect, transport, clock, random, timeoutMillis, maxBatchBytes } = this._options;
    let delivery: Delivery;
    try {
      delivery = await deliverBatch(
        batch.map((queued) => queued.item),
        { dialect, transport, clock, random, timeoutMillis, maxBatchBytes, deadline, cutoff: () => this._cutoff, wakeSignal: () => this._wake.signal, isHalted: () => this._halted },
      );
    } finally {
      this._active--;
    }
    const { outcomes, refusedBytes } = delivery;
    if (refusedBytes !== undefined) this._lowerBatchBytes(refusedBytes);
    return batch.map(({ item }) => {
      const outcome = outcomes.get(item.key) ?? NO_OUTCOME;
      if (!outcome.delivered && outcome.error.reason === 'unauthorized') this._halt();
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

  /** The key was refused: nothing more is sent with it (the user hears of it with the logs lost). */
  private _halt(): void {
    this._halted = true;
  }
}
