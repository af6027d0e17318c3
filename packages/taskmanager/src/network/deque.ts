/**
 * A FIFO queue with O(1) push and shift: a ring buffer whose capacity is a
 * power of two and doubles when full. Used for subpartition queues, received
 * buffers and the round-robin rings of gates and connections, where
 * `Array.prototype.shift` would be O(n).
 */
export class Deque<T> {
  private items: Array<T | undefined> = new Array<T | undefined>(8);
  private head = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) & (this.items.length - 1)] = item;
    this.count += 1;
  }

  /** Puts `item` before every other (a priority event overtaking the queue). */
  unshift(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.head = (this.head - 1) & (this.items.length - 1);
    this.items[this.head] = item;
    this.count += 1;
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.count -= 1;
    return item;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  /** Removes every item for which `predicate` is true, keeping the order of the others. O(n). */
  removeWhere(predicate: (item: T) => boolean): void {
    const kept: T[] = [];
    for (const item of this) if (!predicate(item)) kept.push(item);
    this.clear();
    for (const item of kept) this.push(item);
  }

  clear(): void {
    this.items = new Array<T | undefined>(8);
    this.head = 0;
    this.count = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i++) yield this.items[(this.head + i) & (this.items.length - 1)] as T;
  }

  private grow(): void {
    const next = new Array<T | undefined>(this.items.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) & (this.items.length - 1)];
    this.items = next;
    this.head = 0;
  }
}
