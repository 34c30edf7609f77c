import type { Sender } from '../delivery/sender.js';
import type { Step } from '../log/steps.js';
import type { Background } from '../common/background.js';
import type { Clock } from '../common/clock.js';
import type { TraceStage } from '../trace/trace-stage.js';

/** The longest a flush (or shutdown) starts requests and waits between retries; what cannot go by then is kept for later. */
const FLUSH_MILLIS = 5_000;
const MAX_FLUSH_ROUNDS = 8;
/** Levels of running ancestors one flush may open. */
const MAX_OPEN_LEVELS = 64;

export interface RoundsOptions {
  sender: Sender;
  trace: TraceStage;
  clock: Clock;
  background: Background;
  exportTimeoutMillis: number;
}

/** What a flush does in its rounds, carried out by the pipeline. */
export interface FlushSteps {
  /** Kept logs go again now. */
  retryKept(): void;
  /** Carries the trace stage's decisions. */
  run(steps: Step[]): void;
  /** Starts what requests there is room for. */
  pump(): void;
}

/**
 * A flush in rounds under one cutoff: what waits for a running parent is released (the parents
 * opened, a level at a time, else the logs go as roots), what is kept goes again, and each round
 * waits for what it started. At the cutoff (a few seconds) no request is started and no retry
 * waited for: waits under way wake; a request in flight keeps its whole timeout.
 */
export class Rounds {
  constructor(private readonly _options: RoundsOptions) {}

  async flush(steps: FlushSteps): Promise<void> {
    const { clock, background, trace } = this._options;
    const at = clock.now() + Math.min(FLUSH_MILLIS, this._options.exportTimeoutMillis);
    const cancel = this._cutoff(at);
    try {
      await background.idle();
      steps.retryKept();
      for (let round = 0; round < MAX_FLUSH_ROUNDS; round++) {
        this._releaseWaiting(steps);
        steps.pump();
        await background.idle();
        if (trace.waitingCount === 0 || clock.now() >= at) return;
      }
    } finally {
      cancel();
    }
  }

  private _releaseWaiting(steps: FlushSteps): void {
    for (let level = 0; level < MAX_OPEN_LEVELS; level++) {
      const decisions = this._options.trace.releaseAll();
      steps.run(decisions);
      if (!decisions.some((decision) => decision.kind === 'open')) return;
    }
  }

  /** Sets the cutoff (unless an earlier one is set) and wakes the waits when it comes; returns its cancellation. */
  private _cutoff(at: number): () => void {
    const { sender, clock } = this._options;
    if (at >= sender.cutoff) return () => undefined;
    sender.setCutoff(at);
    const cancelTimer = clock.setTimer(() => sender.wake(), at - clock.now());
    return () => {
      cancelTimer();
      if (sender.cutoff === at) sender.setCutoff(Infinity);
    };
  }
}
