/**
 * key → key group. `keyGroupOf(key, maxParallelism) = keyHash(key) mod maxParallelism`,
 * where keyHash is murmur3_32 of the key's canonical bytes (key-bytes.ts).
 *
 * Contract: the result is in [0, maxParallelism) and depends only on the key's
 * value and maxParallelism — stable across processes, runs and releases (tests
 * pin known values). maxParallelism is fixed for the life of a job's state.
 */
import { InvalidMaxParallelismError } from './errors.js';
import { keyHash } from './key-bytes.js';

/** Flink's default number of key groups for small jobs. */
export const DEFAULT_MAX_PARALLELISM = 128;
/** Flink's `KeyGroupRangeAssignment.UPPER_BOUND_MAX_PARALLELISM` (2^15). */
export const UPPER_BOUND_MAX_PARALLELISM = 32768;

/** Throws InvalidMaxParallelismError unless `value` is an integer in 1..32768. */
export function checkMaxParallelism(value: unknown, what = 'maxParallelism'): number {
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < 1 ||
    value > UPPER_BOUND_MAX_PARALLELISM
  ) {
    throw new InvalidMaxParallelismError(value, UPPER_BOUND_MAX_PARALLELISM, what);
  }
  return value;
}

/** The key group of `key`. Throws KeyTypeError or InvalidMaxParallelismError. */
export function keyGroupOf(key: unknown, maxParallelism: number): number {
  if (
    (maxParallelism | 0) !== maxParallelism ||
    maxParallelism < 1 ||
    maxParallelism > UPPER_BOUND_MAX_PARALLELISM
  ) {
    checkMaxParallelism(maxParallelism);
  }
  return keyHash(key) % maxParallelism;
}

/** `keyGroupOf` with maxParallelism checked once, for per-record routing. */
export function keyGroupAssigner(maxParallelism: number): (key: unknown) => number {
  const m = checkMaxParallelism(maxParallelism);
  return (key) => keyHash(key) % m;
}
