/**
 * Type-level helpers that keep a job's record types checked end to end.
 */

/**
 * What keyBy may return: the values the runtime can hash into a key group
 * (strings, numbers except NaN, booleans, bigints, and arrays of them as
 * composite keys). Objects, null and undefined are refused at compile time
 * here and, if they slip through `any`, by the runtime's key encoder.
 */
export type KeyValue = string | number | boolean | bigint | readonly KeyValue[];

/**
 * The property names of a record type T whose values are numbers: what
 * `sum(field)` accepts. Never for primitives and arrays (sum a number stream
 * with `sum()`; reduce arrays with `reduce`).
 */
export type NumericField<T> = T extends readonly unknown[]
  ? never
  : T extends object
    ? { [P in keyof T]-?: T[P] extends number ? P : never }[keyof T] & string
    : never;
