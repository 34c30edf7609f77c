/**
 * The last `max` items added, oldest first: what the local server keeps of an endless stream
 * (request records). What falls out to make room is counted.
 */
export class Recent<T> {
  private _items: Array<T | undefined> = [];
  private _head = 0;
  private _pushedOut = 0;

  constructor(readonly max: number) {}

  /** Adds `item`; returns the oldest item when it had to go to make room. */
  push(item: T): T | undefined {
    this._items.push(item);
    if (this.size <= this.max) return undefined;
    const oldest = this._items[this._head] as T;
    this._items[this._head++] = undefined;
    this._pushedOut++;
    // Dropping the vacated front once it is half the array keeps each push O(1) on average.
    if (this._head * 2 >= this._items.length) {
      this._items = this._items.slice(this._head);
      this._head = 0;
    }
    return oldest;
  }

  get size(): number {
    return this._items.length - this._head;
  }

  /** How many items were pushed out since the start or `clear()`. */
  get pushedOut(): number {
    return this._pushedOut;
  }

  toArray(): T[] {
    return this._items.slice(this._head) as T[];
  }

  clear(): void {
    this._items = [];
    this._head = 0;
    this._pushedOut = 0;
  }
}
