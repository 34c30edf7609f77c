/** A first-in first-out queue, O(1) per item, that lets go of an item as soon as it is taken. */
export class Fifo<T> {
  private _items: Array<T | undefined> = [];
  private _head = 0;

  get length(): number {
    return this._items.length - this._head;
  }

  push(item: T): void {
    this._items.push(item);
  }

  /** The oldest item, left in place. */
  peek(): T | undefined {
    return this._items[this._head];
  }

  shift(): T | undefined {
    if (this._head >= this._items.length) return undefined;
    const item = this._items[this._head];
    this._items[this._head++] = undefined;
    if (this._head === this._items.length) {
      this._items = [];
      this._head = 0;
    } else if (this._head > 1024 && this._head * 2 > this._items.length) {
      this._items = this._items.slice(this._head);
      this._head = 0;
    }
    return item;
  }

  /** Takes every item, oldest first. */
  drain(): T[] {
    const items = this._items.slice(this._head) as T[];
    this._items = [];
    this._head = 0;
    return items;
  }
}
