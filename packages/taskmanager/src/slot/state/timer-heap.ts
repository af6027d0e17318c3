/**
 * A binary min-heap of items ordered by (timestamp, sequence), in parallel
 * arrays so comparisons read numbers without touching the items (measured
 * against heap-js, tinyqueue and flatqueue in docs/state.md).
 *
 * Invariant: for every i > 0, (ts[parent], seq[parent]) ≤ (ts[i], seq[i]);
 * so items with equal timestamps come out in sequence order.
 */
export class TimerHeap<T> {
  private ts: number[] = [];
  private seq: number[] = [];
  private items: (T | undefined)[] = [];
  private n = 0;

  get size(): number {
    return this.n;
  }

  push(item: T, timestamp: number, sequence: number): void {
    const { ts, seq, items } = this;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = ts[p]!;
      if (pt < timestamp || (pt === timestamp && seq[p]! < sequence)) break;
      ts[i] = pt;
      seq[i] = seq[p]!;
      items[i] = items[p];
      i = p;
    }
    ts[i] = timestamp;
    seq[i] = sequence;
    items[i] = item;
  }

  /** The smallest item, or undefined when empty. */
  peek(): T | undefined {
    return this.n > 0 ? this.items[0] : undefined;
  }

  /** Timestamp of the smallest item; Infinity when empty. */
  peekTimestamp(): number {
    return this.n > 0 ? this.ts[0]! : Infinity;
  }

  /** Removes and returns the smallest item. */
  pop(): T | undefined {
    if (this.n === 0) return undefined;
    const { ts, seq, items } = this;
    const top = items[0];
    const n = --this.n;
    const t = ts[n]!;
    const s = seq[n]!;
    const x = items[n];
    items[n] = undefined; // release the reference
    if (n > 0) this.siftDown(0, t, s, x, n);
    return top;
  }

  /** Keeps only the items `keep` accepts, in O(size). */
  retain(keep: (item: T) => boolean): void {
    let w = 0;
    for (let r = 0; r < this.n; r++) {
      const item = this.items[r] as T;
      if (!keep(item)) continue;
      this.ts[w] = this.ts[r]!;
      this.seq[w] = this.seq[r]!;
      this.items[w++] = item;
    }
    this.ts.length = this.seq.length = this.items.length = this.n = w;
    for (let i = (w >> 1) - 1; i >= 0; i--) {
      this.siftDown(i, this.ts[i]!, this.seq[i]!, this.items[i], w);
    }
  }

  /** Places (t, s, x) at hole `i`, moving smaller children up; `n` = size. */
  private siftDown(i: number, t: number, s: number, x: T | undefined, n: number): void {
    const { ts, seq, items } = this;
    const half = n >> 1;
    while (i < half) {
      let c = 2 * i + 1;
      let ct = ts[c]!;
      let cs = seq[c]!;
      const r = c + 1;
      if (r < n) {
        const rt = ts[r]!;
        if (rt < ct || (rt === ct && seq[r]! < cs)) {
          c = r;
          ct = rt;
          cs = seq[r]!;
        }
      }
      if (t < ct || (t === ct && s < cs)) break;
      ts[i] = ct;
      seq[i] = cs;
      items[i] = items[c];
      i = c;
    }
    ts[i] = t;
    seq[i] = s;
    items[i] = x;
  }
}
