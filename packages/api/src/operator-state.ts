/**
 * Operator (non-keyed) state of user functions, Flink's CheckpointedFunction:
 * a function object of a non-keyed operator (map, filter, flatMap, addSink)
 * may implement `initializeState` and `snapshotState`, and keep lists in the
 * operator state store. Each parallel instance has its own lists; on a restore
 * at another parallelism they are redistributed (see `getListState` and
 * `getUnionListState`).
 */
import type { ListState } from './state.js';

/** Named lists of one parallel instance of an operator. */
export interface OperatorStateStore {
  /**
   * A list redistributed evenly on rescale: all instances' elements are
   * concatenated (old subtask order) and cut into one contiguous part per new
   * instance; every element is restored exactly once.
   */
  getListState<T>(name: string): ListState<T>;
  /** A list every instance receives whole on restore: the union of all old instances' lists. */
  getUnionListState<T>(name: string): ListState<T>;
}

/** Given to `initializeState`, before `open()`. */
export interface FunctionInitializationContext {
  getOperatorStateStore(): OperatorStateStore;
  /** True when the job (re)started from a checkpoint or savepoint, whether or not this operator had state in it. */
  isRestored(): boolean;
  /** The id of the checkpoint restored from; undefined when not restored. */
  getRestoredCheckpointId(): number | undefined;
}

/** Given to `snapshotState` at each checkpoint barrier. */
export interface FunctionSnapshotContext {
  getCheckpointId(): number;
  /** Processing time (ms since epoch) when the barrier reached the operator. */
  getCheckpointTimestamp(): number;
}

/**
 * Flink's CheckpointedFunction. `snapshotState` runs at the
 * barrier, before the barrier is forwarded (no record is processed while a
 * returned promise is pending): write what the function holds
 * into its lists there; what the lists hold when it returns is the checkpoint.
 */
export interface CheckpointedFunction {
  initializeState(context: FunctionInitializationContext): void | Promise<void>;
  snapshotState(context: FunctionSnapshotContext): void | Promise<void>;
}
