import type { Collector } from '../functions.js';
import type { TriggerState } from './triggers.js';
import type { Window } from './windows.js';

/**
 * The functions a window applies to its contents (Flink's AggregateFunction
 * and ProcessWindowFunction). Incremental ones (`reduce`, `aggregate`) keep
 * one value per window; `process` alone keeps every element; an incremental
 * function with a process function hands the process function the one
 * aggregated value when the window fires.
 */

/** Incremental aggregation with an accumulator (Flink's AggregateFunction<IN, ACC, OUT>). */
export interface AggregateFunction<IN, ACC, OUT> {
  createAccumulator(): ACC;
  /** Adds a value; may mutate and return `accumulator`. */
  add(value: IN, accumulator: ACC): ACC;
  getResult(accumulator: ACC): OUT;
  /** Combines two accumulators (session windows merge); may mutate and return `a`. */
  merge(a: ACC, b: ACC): ACC;
}

/** What a ProcessWindowFunction may use besides the elements. */
export interface ProcessWindowContext<W extends Window> {
  window(): W;
  currentProcessingTime(): number;
  currentWatermark(): number;
  /** State of the current key and window (cleared with the window when `clear` is implemented, as Flink). */
  windowState<T>(name: string): TriggerState<T>;
  /** State of the current key across all its windows. */
  globalState<T>(name: string): TriggerState<T>;
  /** Emits to a side output (ctx.output(tag, value) in Flink). */
  output<X>(tag: { readonly id: string }, value: X): void;
}

/** Flink's ProcessWindowFunction<IN, OUT, KEY, W>: called once per firing with every element (or the one aggregate) of the window. */
export interface ProcessWindowFunction<IN, OUT, KEY, W extends Window = Window> {
  process(key: KEY, context: ProcessWindowContext<W>, elements: readonly IN[], out: Collector<OUT>): void;
  /** The window is purged for good: delete what was kept in windowState. */
  clear?(context: ProcessWindowContext<W>): void;
}

/** A ProcessWindowFunction given as just its `process`. */
export type ProcessWindowFunctionLike<IN, OUT, KEY, W extends Window = Window> =
  | ProcessWindowFunction<IN, OUT, KEY, W>
  | ProcessWindowFunction<IN, OUT, KEY, W>['process'];

export function toProcessWindowFunction<IN, OUT, KEY, W extends Window>(fn: ProcessWindowFunctionLike<IN, OUT, KEY, W>): ProcessWindowFunction<IN, OUT, KEY, W> {
  return typeof fn === 'function' ? { process: fn } : fn;
}
