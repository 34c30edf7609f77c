/**
 * Retention: logs stored more than `retainDays` ago go, and the oldest go while all logs take more
 * than `retainBytes`. A background job runs it after writes, at most one pass at a time, deleting
 * in small chunks so that writes go on between them.
 */
import type { Tables } from './tables.js';
import type { Pruned } from './types.js';

export interface RetentionOptions {
  /** Logs stored longer ago than this many days are deleted. */
  retainDays?: number;
  /** The oldest logs are deleted while the logs' JSON takes more than this. */
  retainBytes?: number;
  /**
   * Least time between two background passes (default a minute); 0 runs one after every write;
   * `Infinity` runs none (only `prune()` deletes).
   */
  retentionIntervalMillis?: number;
  /** Told of a background pass that failed (the job goes on). */
  onRetentionError?: (error: unknown) => void;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Logs deleted per statement: short enough that a write waits little behind it. */
const CHUNK = 500;
/** Chunks per pass at most: one pass is bounded; the next goes on where it stopped. */
const MAX_CHUNKS = 200;
const DEFAULT_INTERVAL_MS = 60_000;

export async function pruneOnce(tables: Tables, options: RetentionOptions, now: number): Promise<Pruned> {
  const pruned: Pruned = { logs: 0, bytes: 0 };
  const add = (chunk: Pruned): boolean => {
    pruned.logs += chunk.logs;
    pruned.bytes += chunk.bytes;
    return chunk.logs === CHUNK;
  };
  let chunks = 0;
  if (options.retainDays !== undefined) {
    const before = now - options.retainDays * DAY_MS;
    while (chunks++ < MAX_CHUNKS && add(await tables.deleteStoredBefore(before, CHUNK)));
  }
  if (options.retainBytes !== undefined) {
    let excess = (await tables.totalBytes()) - options.retainBytes;
    while (excess > 0 && chunks++ < MAX_CHUNKS) {
      const chunk = await tables.deleteOldest(Math.min(CHUNK, Math.max(1, Math.ceil(excess / 1024))));
      add(chunk);
      if (chunk.logs === 0) break;
      excess -= chunk.bytes;
    }
  }
  return pruned;
}

/** Runs passes in the background: after a write, once the interval since the last pass is over. */
export class RetentionJob {
  private _running: Promise<void> | undefined;
  private _timer: NodeJS.Timeout | undefined;
  private _lastStart = -Infinity;
  private _stopped = false;
  /** A write came while a pass ran: that pass may have counted before it, so another follows. */
  private _wroteDuringPass = false;

  constructor(
    private readonly _pass: () => Promise<Pruned>,
    private readonly _options: RetentionOptions,
  ) {}

  private get _enabled(): boolean {
    return this._options.retainDays !== undefined || this._options.retainBytes !== undefined;
  }

  /** A write happened: schedule a pass if none is due. Never waits for one. */
  wrote(): void {
    if (this._running) this._wroteDuringPass = true;
    if (!this._enabled || this._stopped || this._timer || this._running) return;
    const interval = this._options.retentionIntervalMillis ?? DEFAULT_INTERVAL_MS;
    if (interval === Infinity) return;
    const wait = Math.max(0, this._lastStart + interval - performance.now());
    this._timer = setTimeout(() => this._start(), wait);
    this._timer.unref();
  }

  private _start(): void {
    this._timer = undefined;
    if (this._stopped) return;
    this._lastStart = performance.now();
    this._running = this._pass().then(
      () => undefined,
      (error: unknown) => this._options.onRetentionError?.(error),
    ).finally(() => {
      this._running = undefined;
      if (this._wroteDuringPass) {
        this._wroteDuringPass = false;
        this.wrote();
      }
    });
  }

  /** No pass starts after this; resolves once a running one ends. */
  async stop(): Promise<void> {
    this._stopped = true;
    clearTimeout(this._timer);
    this._timer = undefined;
    await this._running;
  }
}
