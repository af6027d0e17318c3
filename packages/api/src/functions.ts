import type { CheckpointedFunction } from './operator-state.js';
import type { UserFunctionHooks } from './rich-functions.js';
import type { RuntimeContext, TimerService } from './state.js';

/** Receives the output of a function that may emit any number of records. */
export interface Collector<T> {
  collect(record: T): void;
}

export type KeySelector<T, K> = (value: T) => K;
export type MapFunction<T, R> = (value: T) => R;
export type FilterFunction<T> = (value: T) => boolean;
/** Emits through `out`, or returns an iterable of outputs (or both). */
export type FlatMapFunction<T, R> = (value: T, out: Collector<R>) => Iterable<R> | void;
export type ReduceFunction<T> = (accumulated: T, value: T) => T;

export interface KeyedContext<K> {
  getCurrentKey(): K;
  timerService(): TimerService;
}

/** Flink's KeyedProcessFunction: per-record logic with keyed state and timers. */
export interface KeyedProcessFunction<K, I, O> {
  open?(context: RuntimeContext): void | Promise<void>;
  processElement(value: I, context: KeyedContext<K>, out: Collector<O>): void;
  onTimer?(timestamp: number, context: KeyedContext<K>, out: Collector<O>): void;
  close?(): void | Promise<void>;
}

/** A user-defined sink: called for every record of its subtask; may keep operator list state (CheckpointedFunction). */
export interface SinkFunction<T> extends Partial<CheckpointedFunction> {
  open?(context: RuntimeContext): void | Promise<void>;
  invoke(value: T): void | Promise<void>;
  close?(): void | Promise<void>;
}

/**
 * The functions of one operator, looked up by operator id when a
 * TaskManager instantiates a subtask. `keySelector` is set on keyed
 * operators; producers upstream of a 'hash' edge use the target's selector.
 */
export type OperatorFunctions =
  /** `elements`: the values of fromElements (kept out of the JSON graph); absent for other sources. */
  | { readonly kind: 'source'; readonly elements?: readonly unknown[] }
  | { readonly kind: 'map'; readonly fn: MapFunction<unknown, unknown>; readonly hooks?: UserFunctionHooks }
  | { readonly kind: 'filter'; readonly fn: FilterFunction<unknown>; readonly hooks?: UserFunctionHooks }
  | { readonly kind: 'flatMap'; readonly fn: FlatMapFunction<unknown, unknown>; readonly hooks?: UserFunctionHooks }
  | { readonly kind: 'reduce'; readonly keySelector: KeySelector<unknown, unknown>; readonly fn: ReduceFunction<unknown> }
  | { readonly kind: 'process'; readonly keySelector: KeySelector<unknown, unknown>; readonly fn: KeyedProcessFunction<unknown, unknown, unknown> }
  | { readonly kind: 'sink'; readonly fn?: SinkFunction<unknown> };
 * `hooks`: the function object of a map/filter/flatMap given as one (open,
 * close, initializeState, snapshotState); `fn` is then its method, bound.
