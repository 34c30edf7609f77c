/** Answer this status (default body `{detail: "injected fault"}`), optionally after a delay. */
export interface StatusFault {
  status: number;
  retryAfter?: string;
  /** Sent as JSON; a string is sent as it is, as text (like a proxy's error page). */
  body?: unknown;
  delayMillis?: number;
}

/** Wait, then handle the request normally. */
export interface DelayFault {
  delayMillis: number;
}

/** Read the request, then destroy the connection (`reset`) or keep it open and never answer (`hang`). */
export interface DropFault {
  drop: 'reset' | 'hang';
}

/** Handle the request (logs are stored), but send the answer's body only after this long. */
export interface SlowBodyFault {
  slowBodyMillis: number;
}

/** A fault the local log server plays instead of (or before) answering a request. */
export type Fault = StatusFault | DelayFault | DropFault | SlowBodyFault;

export interface RequestInfo {
  index: number;
  method: string;
  path: string;
}

export type FaultPlan = (request: RequestInfo) => Fault | undefined;

interface Queued {
  fault: Fault;
  remaining: number;
}

// setTimeout fires at once for anything longer.
const MAX_DELAY_MILLIS = 2 ** 31 - 1;

/** Faults queued for the next requests, first in first out; when none is queued, the plan. */
export class FaultSchedule {
  private readonly _queue: Queued[] = [];
  private _plan: FaultPlan | undefined;

  /** `times` may be `Infinity`: the fault then answers every later request. */
  inject(fault: Fault, times = 1): void {
    if (!(Number.isInteger(times) || times === Infinity) || times < 0) {
      throw new RangeError('times must be a whole number >= 0, or Infinity');
    }
    checkFault(fault);
    if (times > 0) this._queue.push({ fault: { ...fault }, remaining: times });
  }

  setPlan(plan: FaultPlan | undefined): void {
    this._plan = plan;
  }

  /** The fault for this request, if any; throws when the plan throws or returns a bad fault. */
  next(request: RequestInfo): Fault | undefined {
    const head = this._queue[0];
    if (head) {
      head.remaining--;
      if (head.remaining <= 0) this._queue.shift();
      return head.fault;
    }
    const planned = this._plan?.(request);
    if (planned !== undefined) checkFault(planned);
    return planned;
  }

  clear(): void {
    this._queue.length = 0;
    this._plan = undefined;
  }
}

/** Short label for `RecordedRequest.fault`. */
export function describeFault(fault: Fault): string {
  if ('drop' in fault) return `drop:${fault.drop}`;
  if ('slowBodyMillis' in fault) return `slow-body:${fault.slowBodyMillis}`;
  if ('status' in fault) return `status:${fault.status}`;
  return `delay:${fault.delayMillis}`;
}

/** Throws on a fault the server could not play, so a test's typo fails where it was made. */
export function checkFault(fault: unknown): asserts fault is Fault {
  if (typeof fault !== 'object' || fault === null) throw new TypeError('a fault must be an object');
  const f = fault as Record<string, unknown>;
  if ('drop' in f) {
    if (f.drop !== 'reset' && f.drop !== 'hang') throw new TypeError('drop must be "reset" or "hang"');
    return;
  }
  if ('slowBodyMillis' in f) return checkMillis(f.slowBodyMillis, 'slowBodyMillis');
  if (f.delayMillis !== undefined) checkMillis(f.delayMillis, 'delayMillis');
  if ('status' in f) return checkStatus(f);
  if (f.delayMillis === undefined) throw new TypeError('a fault needs status, delayMillis, drop or slowBodyMillis');
}

function checkStatus(fault: Record<string, unknown>): void {
  const { status, retryAfter } = fault;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) {
    throw new RangeError('status must be a whole number from 200 to 599');
  }
  if (retryAfter !== undefined && (typeof retryAfter !== 'string' || !/^[\t\x20-\x7e]*$/.test(retryAfter))) {
    throw new TypeError('retryAfter must be a string of visible ASCII characters');
  }
}

function checkMillis(value: unknown, name: string): void {
  if (typeof value !== 'number' || !(value >= 0 && value <= MAX_DELAY_MILLIS)) {
    throw new RangeError(`${name} must be a number of milliseconds from 0 to ${MAX_DELAY_MILLIS}`);
  }
}
