import type { Collector, KeyedContext, OnTimerContext, ProcessContext } from './functions.js';
import type { MapState, RuntimeContext } from './state.js';

/**
 * The functions of operators with two inputs (Flink's CoMapFunction,
 * CoFlatMapFunction, CoProcessFunction, KeyedCoProcessFunction, the
 * broadcast process functions and ProcessJoinFunction). Method `…1` gets the
 * records of the stream `connect` was called on, `…2` those of its argument.
 */

/** Lifecycle hooks every two-input function may have. */
export interface TwoInputFunctionHooks {
  open?(context: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
}

/** One output per record of either input (Flink's CoMapFunction). */
export interface CoMapFunction<IN1, IN2, OUT> extends TwoInputFunctionHooks {
  map1(value: IN1): OUT;
  map2(value: IN2): OUT;
}

/** Any number of outputs per record of either input: returned as an iterable, emitted with out.collect, or both. */
export interface CoFlatMapFunction<IN1, IN2, OUT> extends TwoInputFunctionHooks {
  flatMap1(value: IN1, out: Collector<OUT>): Iterable<OUT> | void;
  flatMap2(value: IN2, out: Collector<OUT>): Iterable<OUT> | void;
}

/** Flink's CoProcessFunction on connected non-keyed streams: no keyed state, no timers (the time service throws on register). */
export interface CoProcessFunction<IN1, IN2, OUT> extends TwoInputFunctionHooks {
  processElement1(value: IN1, context: ProcessContext, out: Collector<OUT>): void;
  processElement2(value: IN2, context: ProcessContext, out: Collector<OUT>): void;
}

/**
 * Flink's KeyedCoProcessFunction: both inputs keyed (connect(...).keyBy(k1, k2)
 * or keyed.connect(keyed)); the keyed state of a key is shared by both inputs,
 * timers of both domains call onTimer.
 */
export interface KeyedCoProcessFunction<K, IN1, IN2, OUT> extends TwoInputFunctionHooks {
  processElement1(value: IN1, context: KeyedContext<K>, out: Collector<OUT>): void;
  processElement2(value: IN2, context: KeyedContext<K>, out: Collector<OUT>): void;
  onTimer?(timestamp: number, context: OnTimerContext<K>, out: Collector<OUT>): void;
}

/** Names broadcast state (Flink's MapStateDescriptor used with broadcast()): a map from K to V, the same on every subtask. */
export interface BroadcastStateDescriptor<K, V> {
  readonly name: string;
  /** Phantom members: keep K and V part of the type. */
  readonly keyType?: K;
  readonly valueType?: V;
}

/** Broadcast state as processElement sees it (Flink's ReadOnlyBroadcastState). */
export interface ReadOnlyBroadcastState<K, V> {
  get(key: K): V | undefined;
  contains(key: K): boolean;
  /** Do not mutate what these return: every subtask must keep the same state. */
  entries(): IterableIterator<[K, V]>;
  keys(): IterableIterator<K>;
  values(): IterableIterator<V>;
  isEmpty(): boolean;
}

/** Broadcast state as processBroadcastElement sees it (Flink's BroadcastState): change it the same way on every subtask. */
export interface BroadcastState<K, V> extends ReadOnlyBroadcastState<K, V> {
  put(key: K, value: V): void;
  remove(key: K): void;
  clear(): void;
}

/** What both methods of a broadcast process function may use (Flink's BaseBroadcastProcessFunction.Context). */
export interface BroadcastContextBase extends ProcessContext {
  /** The current processing time and watermark are in timerService(). */
  currentProcessingTime(): number;
  currentWatermark(): number;
}

/** The context of processElement: broadcast state read-only. */
export interface ReadOnlyBroadcastContext extends BroadcastContextBase {
  getBroadcastState<K, V>(descriptor: BroadcastStateDescriptor<K, V>): ReadOnlyBroadcastState<K, V>;
}

/** The context of processBroadcastElement: broadcast state read-write. */
export interface BroadcastContext extends BroadcastContextBase {
  getBroadcastState<K, V>(descriptor: BroadcastStateDescriptor<K, V>): BroadcastState<K, V>;
}

/** Flink's BroadcastProcessFunction: a non-keyed stream connected with a broadcast stream. */
export interface BroadcastProcessFunction<IN1, IN2, OUT> extends TwoInputFunctionHooks {
  processElement(value: IN1, context: ReadOnlyBroadcastContext, out: Collector<OUT>): void;
  processBroadcastElement(value: IN2, context: BroadcastContext, out: Collector<OUT>): void;
}

/** The context of a keyed broadcast function's processElement: read-only broadcast state, the key, timers. */
export interface KeyedReadOnlyBroadcastContext<K> extends KeyedContext<K> {
  getBroadcastState<BK, BV>(descriptor: BroadcastStateDescriptor<BK, BV>): ReadOnlyBroadcastState<BK, BV>;
  currentWatermark(): number;
}

/** Runs for every key with state of the given name (Flink's KeyedStateFunction); `state` is scoped to `key`. */
export type KeyedStateFunction<K, S> = (key: K, state: S) => void;

/** The context of a keyed broadcast function's processBroadcastElement: read-write broadcast state, every key's state. */
export interface KeyedBroadcastContext extends BroadcastContext {
  /**
   * Calls `fn` for every key of this subtask that has keyed state named
   * `stateName` (Flink's applyToKeyedState), with that state (a ValueState,
   * ListState or MapState, as its getter made it) scoped to the key.
   */
  applyToKeyedState<K, S>(stateName: string, fn: KeyedStateFunction<K, S>): void;
}

/** Flink's KeyedBroadcastProcessFunction: a keyed stream connected with a broadcast stream. */
export interface KeyedBroadcastProcessFunction<K, IN1, IN2, OUT> extends TwoInputFunctionHooks {
  processElement(value: IN1, context: KeyedReadOnlyBroadcastContext<K>, out: Collector<OUT>): void;
  processBroadcastElement(value: IN2, context: KeyedBroadcastContext, out: Collector<OUT>): void;
  /** A timer of a key fired; the context reads the broadcast state too (Flink's ReadOnlyContext). */
  onTimer?(timestamp: number, context: OnTimerContext<K> & KeyedReadOnlyBroadcastContext<K>, out: Collector<OUT>): void;
}

/** The context of a ProcessJoinFunction (Flink's ProcessJoinFunction.Context). */
export interface ProcessJoinContext {
  /** The left element's timestamp. */
  leftTimestamp(): number;
  rightTimestamp(): number;
  /** The result's timestamp: the larger of the two. */
  timestamp(): number;
  output<X>(tag: { readonly id: string }, value: X): void;
}

/** Called for every pair of the interval join (Flink's ProcessJoinFunction). */
export interface ProcessJoinFunction<IN1, IN2, OUT> extends TwoInputFunctionHooks {
  processElement(left: IN1, right: IN2, context: ProcessJoinContext, out: Collector<OUT>): void;
}

/** Keeps MapState in the public surface of broadcast users (the keyed variant's applyToKeyedState may see one). */
export type { MapState };
