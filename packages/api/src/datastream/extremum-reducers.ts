import { JobGraphError } from '../errors.js';
import type { ReduceFunction } from '../functions.js';

/** The four rolling extremum aggregations of a KeyedStream (Flink's min, max, minBy, maxBy). */
export type ExtremumAggregation = 'min' | 'max' | 'minBy' | 'maxBy';

/**
 * The reduce function behind `KeyedStream.min/max/minBy/maxBy`.
 *
 * - field null: the records are numbers; returns the smaller (min, minBy)
 *   or larger (max, maxBy) one.
 * - `min(field)` / `max(field)`: returns a copy of the accumulated record —
 *   the first record of the key — whose `field` is the running min/max
 *   (Flink's documented rolling semantics: the other fields stay those of
 *   the key's first record). Neither input is mutated.
 * - `minBy(field)` / `maxBy(field)`: returns the whole record holding the
 *   min/max; on a tie the accumulated one when `first` is true, else the
 *   newer one.
 *
 * A record that is not an object, lacks the field, or has a non-number
 * there throws a TypeError naming the aggregation and the field.
 */
export function extremumReducer(aggregation: ExtremumAggregation, field: string | null, first = true): ReduceFunction<unknown> {
  const call = field === null ? `${aggregation}()` : `${aggregation}('${field}')`;
  if (field !== null && (typeof field !== 'string' || field.length === 0)) {
    throw new JobGraphError('INVALID_ARGUMENT', `${aggregation}(field) needs a non-empty field name, got ${JSON.stringify(field)}`);
  }
  if (typeof first !== 'boolean') {
    throw new JobGraphError('INVALID_ARGUMENT', `${call}: 'first' must be a boolean, got ${JSON.stringify(first)}`);
  }
  const wantsMin = aggregation === 'min' || aggregation === 'minBy';
  /** True when `candidate` replaces `current` as the extremum. */
  const replaces = (current: number, candidate: number, keepFirstOnTie: boolean): boolean => {
    if (candidate === current) return !keepFirstOnTie;
    return wantsMin ? candidate < current : candidate > current;
  };
  if (field === null) {
    const keepFirstOnTie = aggregation === 'min' || aggregation === 'max' || first;
    return (accumulated, value) => {
      const current = numberRecord(accumulated, call);
      const candidate = numberRecord(value, call);
      return replaces(current, candidate, keepFirstOnTie) ? candidate : current;
    };
  }
  if (aggregation === 'minBy' || aggregation === 'maxBy') {
    return (accumulated, value) =>
      replaces(numberField(accumulated, field, call), numberField(value, field, call), first) ? value : accumulated;
  }
  return (accumulated, value) => {
    const current = numberField(accumulated, field, call);
    const candidate = numberField(value, field, call);
    if (!replaces(current, candidate, true)) return accumulated;
    // Spread first, then assign: keeps the record's shape (see sum-reducer.ts).
    const copy: Record<string, unknown> = { ...(accumulated as object) };
    copy[field] = candidate;
    return copy;
  };
}

function numberRecord(record: unknown, call: string): number {
  if (typeof record !== 'number') {
    throw new TypeError(`${call}: the record is ${describeValue(record)}, not a number (give the field to aggregate)`);
  }
  return record;
}

function numberField(record: unknown, field: string, call: string): number {
  if (typeof record !== 'object' || record === null) {
    throw new TypeError(`${call} needs object records, got ${describeValue(record)}`);
  }
  if (!(field in record)) {
    throw new TypeError(`${call}: a record has no field '${field}'`);
  }
  const value = (record as Record<string, unknown>)[field];
  if (typeof value !== 'number') {
    throw new TypeError(`${call}: field '${field}' is ${describeValue(value)}, not a number`);
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' || type === 'undefined' ? type : `a ${type}`;
}
