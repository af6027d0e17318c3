import type { StateTtlOptions } from './state-ttl.js';

/**
 * Keyed state, scoped to the key of the record being processed (as in
 * Flink): the same `ValueState` object reads and writes a different value
 * for every key. Implemented by the runtime's keyed state backend, which
 * stores state per key group so it can be snapshotted and moved by group.
 */
export interface ValueState<T> {
  /** The value for the current key, or the descriptor's default (undefined if none). */
  value(): T | undefined;
  update(value: T): void;
  clear(): void;
}

export interface ListState<T> {
  /** The list for the current key (empty when none); do not mutate it. */
  get(): readonly T[];
  add(value: T): void;
  update(values: readonly T[]): void;
  clear(): void;
}

export interface MapState<K, V> {
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  contains(key: K): boolean;
  remove(key: K): void;
  entries(): IterableIterator<[K, V]>;
  keys(): IterableIterator<K>;
  values(): IterableIterator<V>;
  isEmpty(): boolean;
  clear(): void;
}

/**
 * A keyed state's descriptor, the object form of a getter's arguments
 * (Flink's StateDescriptor): `getValueState({ name: 'count', defaultValue: 0, ttl })`.
 * `ttl` is a `StateTtlConfig` (built) or its plain-object form.
 */
export interface StateDescriptor {
  readonly name: string;
  readonly ttl?: StateTtlOptions;
}

export interface ValueStateDescriptor<T> extends StateDescriptor {
  /** What `value()` returns for a key without a value (copied per read when an object). */
  readonly defaultValue?: T;
}

export type ListStateDescriptor = StateDescriptor;
export type MapStateDescriptor = StateDescriptor;

/** Keyed state and identity of a parallel instance, given to `open()`. */
export interface RuntimeContext {
  readonly operatorId: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /**
   * By name with an optional default value — `getValueState('count', 0)` —
   * or by descriptor: `getValueState({ name: 'count', defaultValue: 0, ttl })`
   * (a second argument is then not allowed).
   */
  getValueState<T>(nameOrDescriptor: string | ValueStateDescriptor<T>, defaultValue?: T): ValueState<T>;
  getListState<T>(nameOrDescriptor: string | ListStateDescriptor): ListState<T>;
  getMapState<K, V>(nameOrDescriptor: string | MapStateDescriptor): MapState<K, V>;
}

export interface TimerService {
  currentProcessingTime(): number;
  /** Fires `onTimer` for the current key at `timestamp` (ms since epoch); once per key and timestamp. */
  registerProcessingTimeTimer(timestamp: number): void;
  deleteProcessingTimeTimer(timestamp: number): void;
  /**
   * The operator's current event-time watermark: -Infinity before the first
   * watermark (Flink's Long.MIN_VALUE), +Infinity after the end of input.
   */
  currentWatermark(): number;
  /**
   * Fires `onTimer` for the current key once the watermark reaches
   * `timestamp` (timestamp <= watermark); once per key and timestamp. A
   * timer at or before the current watermark fires at the next watermark.
   */
  registerEventTimeTimer(timestamp: number): void;
  deleteEventTimeTimer(timestamp: number): void;
}
