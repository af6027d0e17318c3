import type { Output } from '../output.js';

/** What `emit` says: true: more is available now; false: the input ended; 'wait': nothing now, see `whenAvailable`. */
export type EmitResult = boolean | 'wait';

/**
 * A parallel instance of a source. It reads a list of splits (ranges of a
 * sequence, byte ranges of a file) one after another. `emit` hands at most
 * about `max` records to `out` and says whether more remain; it may be
 * asynchronous (file reads).
 *
 * `snapshotSplits()` is the source's operator state: the unread remainder of
 * every split, taken between two `emit` calls. A restored source is built
 * from such splits — possibly regrouped over a different parallelism
 * (`assignSplits`) — and reads exactly what was not read before.
 *
 * A Source API source (SourceOperator) also returns 'wait' from `emit`
 * (the task then awaits `whenAvailable()`, or a trigger, without spinning),
 * and receives its enumerator's events (`handleOperatorEvent`, any time);
 * the task applies them (`applyEvents`) between batches, in their order
 * relative to checkpoint triggers: the events received before a trigger are
 * applied before that checkpoint is taken, the others after.
 */
export interface SourceReader {
  open?(): Promise<void>;
  emit(out: Output, max: number): EmitResult | Promise<EmitResult>;
  whenAvailable?(): Promise<void>;
  snapshotSplits(checkpointId: number): unknown[] | Promise<unknown[]>;
  /** How many operator events were received so far (applied or not). */
  readonly receivedEvents?: number;
  /** How many received operator events are not applied yet. */
  readonly pendingEvents?: number;
  handleOperatorEvent?(event: Uint8Array): void;
  /** Applies the received events up to the `upTo`-th (1-based count), in order. */
  applyEvents?(upTo: number): void;
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  close?(): Promise<void>;
}

/** The contiguous share of [0, total) that subtask `index` of `parallelism` reads. */
export function splitRange(total: number, index: number, parallelism: number): { start: number; end: number } {
  return {
    start: Math.floor((total * index) / parallelism),
    end: Math.floor((total * (index + 1)) / parallelism),
  };
}

/**
 * Regroups the splits of every old subtask over `parallelism` new subtasks:
 * split i (in old-subtask order) goes to new subtask i mod parallelism, so
 * every unread range is read by exactly one subtask after a rescale.
 */
export function assignSplits<S>(splitsBySubtask: readonly (readonly S[])[], subtaskIndex: number, parallelism: number): S[] {
  return splitsBySubtask.flat().filter((_, i) => i % parallelism === subtaskIndex);
}
