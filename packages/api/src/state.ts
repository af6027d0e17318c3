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

/** Keyed state and identity of a parallel instance, given to `open()`. */
export interface RuntimeContext {
  readonly operatorId: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  getValueState<T>(name: string, defaultValue?: T): ValueState<T>;
  getListState<T>(name: string): ListState<T>;
  getMapState<K, V>(name: string): MapState<K, V>;
}

export interface TimerService {
  currentProcessingTime(): number;
  /** Fires `onTimer` for the current key at `timestamp` (ms since epoch); once per key and timestamp. */
  registerProcessingTimeTimer(timestamp: number): void;
  deleteProcessingTimeTimer(timestamp: number): void;
}
