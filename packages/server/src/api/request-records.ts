import { Recent } from './recent.js';

export interface RecordedRequest {
  /** Which request this is since the start or `clear()`, counting those no longer kept. */
  index: number;
  method: string;
  /** The request target as sent: path and query. */
  path: string;
  /** Undefined while unanswered, and for a request dropped or hung by a fault. */
  status: number | undefined;
  /** Logs in a POST body that parsed (1 for an object), else 0. */
  itemCount: number;
  /** The fault played, e.g. `status:503`, `delay:100`, `drop:reset`. */
  fault?: string;
  /** Lower-case names; `x-api-key` (and any authorization or cookie header) reads `[present]`. */
  headers: Record<string, string>;
  /** `performance.now()` when the request arrived and when it was answered (undefined if never). */
  receivedAt: number;
  answeredAt: number | undefined;
}

/** The records of the last `max` requests, numbered from the start or `clear()`. */
export class RequestRecords {
  private readonly _recent: Recent<RecordedRequest>;
  private _next = 0;

  constructor(max: number) {
    this._recent = new Recent(max);
  }

  /** Records a request that just arrived, with the next index; the record is filled in as it is answered. */
  add(record: Omit<RecordedRequest, 'index'>): RecordedRequest {
    const numbered = { index: this._next++, ...record };
    this._recent.push(numbered);
    return numbered;
  }

  /** Copies of the kept records, oldest first. */
  copies(): RecordedRequest[] {
    return this._recent.toArray().map((record) => ({ ...record, headers: { ...record.headers } }));
  }

  get size(): number {
    return this._recent.size;
  }

  get pushedOut(): number {
    return this._recent.pushedOut;
  }

  clear(): void {
    this._recent.clear();
    this._next = 0;
  }
}
