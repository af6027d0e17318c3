import { JobGraphError } from '../errors.js';
import type { ReduceFunction } from '../functions.js';

/**
 * The reduce function behind `KeyedStream.sum`.
 *
 * - field null: the records are numbers; returns their sum.
 * - field set: returns a copy of the accumulated record (the first record of
 *   the key, as in Flink's `sum(field)`) whose `field` is the sum of both
 *   records' `field`. Neither input is mutated.
 *
 * A value that is not a number at run time throws a TypeError naming the
 * field, rather than concatenating strings or summing to NaN silently.
 */
export function sumReducer(field: string | null): ReduceFunction<unknown> {
  if (field === null) {
    return (accumulated, value) => checkedNumber(accumulated, 'record') + checkedNumber(value, 'record');
  }
  if (typeof field !== 'string' || field.length === 0) {
    throw new JobGraphError('INVALID_ARGUMENT', `sum(field) needs a non-empty field name, got ${JSON.stringify(field)}`);
  }
  return (accumulated, value) => {
    const total = checkedNumber(fieldOf(accumulated, field), `field '${field}'`) + checkedNumber(fieldOf(value, field), `field '${field}'`);
    // Spread first, then assign: keeps the record's shape (a computed key in
    // the literal makes V8 build a slow dictionary object per record).
    const copy: Record<string, unknown> = { ...(accumulated as object) };
    copy[field] = total;
    return copy;
  };
}

function fieldOf(record: unknown, field: string): unknown {
  if (typeof record !== 'object' || record === null) {
    throw new TypeError(`sum('${field}') needs object records, got ${record === null ? 'null' : typeof record}`);
  }
  return (record as Record<string, unknown>)[field];
}

function checkedNumber(value: unknown, what: string): number {
  if (typeof value !== 'number') {
    throw new TypeError(`sum: ${what} is ${value === null ? 'null' : typeof value}, not a number`);
  }
  return value;
}
