import type { AggregateFunction } from '@rivulet/api';

/** count(*) of a window's records. */
export function countAggregate<T>(): AggregateFunction<T, number, number> {
  return { createAccumulator: () => 0, add: (_value, count) => count + 1, getResult: (count) => count, merge: (a, b) => a + b };
}

/** max(field(record)) of a window's records. */
export function maxAggregate<T>(field: (value: T) => number): AggregateFunction<T, number, number> {
  return {
    createAccumulator: () => -Infinity,
    add: (value, max) => Math.max(max, field(value)),
    getResult: (max) => max,
    merge: (a, b) => Math.max(a, b),
  };
}
