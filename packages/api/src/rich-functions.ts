/**
 * The object forms of map, filter and flatMap functions (Flink's
 * RichMapFunction etc.): an object with the method (`map`, `filter`,
 * `flatMap`) and any of the optional hooks — `open`/`close` (a RuntimeContext
 * without keyed state) and `initializeState`/`snapshotState` (operator list
 * state, CheckpointedFunction). A plain function stays the fast form; an
 * object costs one bound call per record.
 */
import type { Collector } from './functions.js';
import type { CheckpointedFunction } from './operator-state.js';
import type { RuntimeContext } from './state.js';

/** Lifecycle and checkpoint hooks a function object may have; all optional. */
export interface UserFunctionHooks extends Partial<CheckpointedFunction> {
  /** After `initializeState`, before the first record. */
  open?(context: RuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
}

export interface MapFunctionObject<T, R> extends UserFunctionHooks {
  map(value: T): R;
}

export interface FilterFunctionObject<T> extends UserFunctionHooks {
  filter(value: T): boolean;
}

export interface FlatMapFunctionObject<T, R> extends UserFunctionHooks {
  /** Emits through `out`, or returns an iterable of outputs (or both). */
  flatMap(value: T, out: Collector<R>): Iterable<R> | void;
}
