/** A fault the local log server plays instead of (or before) answering a request. */
export type Fault =
  /** Answer this status (default body `{detail: "injected fault"}`), optionally after a delay. */
  | { status: number; retryAfter?: string; body?: unknown; delayMillis?: number }
  /** Wait, then handle the request normally. */
  | { delayMillis: number }
  /** Destroy the connection without answering, or keep it open and never answer. */
  | { drop: 'reset' | 'hang' }
  /** Handle the request (logs are stored), but send the answer's body only after this long. */
  | { slowBodyMillis: number };

export interface RequestInfo {
  index: number;
  method: string;
  path: string;
}

export type FaultPlan = (request: RequestInfo) => Fault | undefined;

/** Faults queued for the next requests, in order; then the plan, if any. */
export class FaultSchedule {
  private _queue: Fault[] = [];
  private _plan: FaultPlan | undefined;

  inject(fault: Fault, times = 1): void {
    for (let i = 0; i < times; i++) this._queue.push(fault);
  }

  setPlan(plan: FaultPlan | undefined): void {
    this._plan = plan;
  }

  next(request: RequestInfo): Fault | undefined {
    return this._queue.shift() ?? this._plan?.(request);
  }

  clear(): void {
    this._queue = [];
    this._plan = undefined;
  }
}

export function describeFault(fault: Fault): string {
  if ('drop' in fault) return `drop:${fault.drop}`;
  if ('slowBodyMillis' in fault) return `slow-body:${fault.slowBodyMillis}`;
  if ('status' in fault) return `status:${fault.status}`;
  return `delay:${fault.delayMillis}`;
}
