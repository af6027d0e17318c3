import type { Collector, FlatMapFunction } from './functions.js';

/**
 * Runs a FlatMapFunction the way the API documents it, for the runtime and
 * for tests: every record reaches `out` in the order the function produces
 * it — `out.collect` calls as they happen, then the records of the returned
 * iterable, if any, as it is iterated (a generator may interleave both).
 */
export function invokeFlatMap<T, R>(fn: FlatMapFunction<T, R>, value: T, out: Collector<R>): void {
  const returned = fn(value, out);
  if (returned === undefined || returned === null) return;
  for (const record of returned) out.collect(record);
}
