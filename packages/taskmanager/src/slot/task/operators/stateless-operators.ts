import type { FilterFunction, FlatMapFunction, MapFunction } from '@rivulet/api';
import type { Output } from '../output.js';

export class MapOperator implements Output {
  constructor(private readonly fn: MapFunction<unknown, unknown>, private readonly next: Output) {}
  collect(record: unknown): void {
    this.next.collect(this.fn(record));
  }
}

export class FilterOperator implements Output {
  constructor(private readonly fn: FilterFunction<unknown>, private readonly next: Output) {}
  collect(record: unknown): void {
    if (this.fn(record)) this.next.collect(record);
  }
}

/** The user's function may emit through `out`, return an iterable, or both. */
export class FlatMapOperator implements Output {
  constructor(private readonly fn: FlatMapFunction<unknown, unknown>, private readonly next: Output) {}
  collect(record: unknown): void {
    const returned = this.fn(record, this.next);
    if (returned !== undefined && returned !== null) {
      for (const value of returned as Iterable<unknown>) this.next.collect(value);
    }
  }
}
