import type { Window } from './windows.js';

/**
 * Evictors remove elements from a window's contents before and/or after the
 * window function runs (Flink's Evictor; with an evictor the window keeps
 * every element, no incremental aggregation). `elements` is the window's
 * contents in arrival order: an evictor removes entries from the array in place.
 */
export interface TimestampedValue<T> {
  readonly value: T;
  /** The element's event timestamp; undefined when it has none. */
  readonly timestamp: number | undefined;
}

export interface EvictorContext {
  getCurrentProcessingTime(): number;
  getCurrentWatermark(): number;
}

export interface Evictor<T, W extends Window = Window> {
  evictBefore(elements: TimestampedValue<T>[], size: number, window: W, ctx: EvictorContext): void;
  evictAfter(elements: TimestampedValue<T>[], size: number, window: W, ctx: EvictorContext): void;
}

/** Keeps the last `maxCount` elements (Flink's CountEvictor), before the function or, with `doEvictAfter`, after it. */
export class CountEvictor implements Evictor<unknown> {
  private constructor(
    private readonly maxCount: number,
    private readonly doEvictAfter: boolean,
  ) {}

  static of(maxCount: number, doEvictAfter = false): CountEvictor {
    if (!Number.isInteger(maxCount) || maxCount < 0) throw new RangeError(`CountEvictor.of(${String(maxCount)}): the count must be a whole number >= 0`);
    return new CountEvictor(maxCount, doEvictAfter);
  }

  evictBefore(elements: TimestampedValue<unknown>[], size: number): void {
    if (!this.doEvictAfter) this.evict(elements, size);
  }

  evictAfter(elements: TimestampedValue<unknown>[], size: number): void {
    if (this.doEvictAfter) this.evict(elements, size);
  }

  private evict(elements: TimestampedValue<unknown>[], size: number): void {
    if (size > this.maxCount) elements.splice(0, size - this.maxCount);
  }
}

/**
 * Keeps the elements whose timestamp is within `windowSize` ms of the newest
 * element's (Flink's TimeEvictor: evicts timestamp <= max - windowSize);
 * elements without timestamps are never evicted.
 */
export class TimeEvictor implements Evictor<unknown> {
  private constructor(
    private readonly windowSize: number,
    private readonly doEvictAfter: boolean,
  ) {}

  static of(windowSize: number, doEvictAfter = false): TimeEvictor {
    if (!Number.isSafeInteger(windowSize) || windowSize < 0) throw new RangeError(`TimeEvictor.of(${String(windowSize)}): the size must be a whole number of milliseconds >= 0`);
    return new TimeEvictor(windowSize, doEvictAfter);
  }

  evictBefore(elements: TimestampedValue<unknown>[]): void {
    if (!this.doEvictAfter) this.evict(elements);
  }

  evictAfter(elements: TimestampedValue<unknown>[]): void {
    if (this.doEvictAfter) this.evict(elements);
  }

  private evict(elements: TimestampedValue<unknown>[]): void {
    let max = Number.NEGATIVE_INFINITY;
    for (const e of elements) if (e.timestamp !== undefined && e.timestamp > max) max = e.timestamp;
    if (max === Number.NEGATIVE_INFINITY) return;
    const cutoff = max - this.windowSize;
    removeWhere(elements, (e) => e.timestamp !== undefined && e.timestamp <= cutoff);
  }
}

/** Evicts the elements whose `delta` to the newest element is at least `threshold` (Flink's DeltaEvictor). */
export class DeltaEvictor<T> implements Evictor<T> {
  private constructor(
    private readonly threshold: number,
    private readonly delta: (a: T, b: T) => number,
    private readonly doEvictAfter: boolean,
  ) {}

  static of<T>(threshold: number, delta: (a: T, b: T) => number, doEvictAfter = false): DeltaEvictor<T> {
    if (typeof delta !== 'function') throw new TypeError('DeltaEvictor.of: the delta function must be a function');
    if (!Number.isFinite(threshold)) throw new RangeError(`DeltaEvictor.of: the threshold must be a finite number, got ${String(threshold)}`);
    return new DeltaEvictor(threshold, delta, doEvictAfter);
  }

  evictBefore(elements: TimestampedValue<T>[]): void {
    if (!this.doEvictAfter) this.evict(elements);
  }

  evictAfter(elements: TimestampedValue<T>[]): void {
    if (this.doEvictAfter) this.evict(elements);
  }

  private evict(elements: TimestampedValue<T>[]): void {
    const last = elements[elements.length - 1];
    if (last === undefined) return;
    removeWhere(elements, (e) => this.delta(e.value, last.value) >= this.threshold);
  }
}

function removeWhere<T>(elements: T[], remove: (e: T) => boolean): void {
  let kept = 0;
  for (let i = 0; i < elements.length; i++) {
    const e = elements[i]!;
    if (!remove(e)) elements[kept++] = e;
  }
  elements.length = kept;
}

export function isEvictor(value: unknown): value is Evictor<unknown> {
  const e = value as Partial<Evictor<unknown>> | null;
  return typeof e === 'object' && e !== null && typeof e.evictBefore === 'function' && typeof e.evictAfter === 'function';
}
