import type { Output } from '../output.js';

/**
 * A parallel instance of a source. It reads a list of splits (ranges of a
 * sequence, byte ranges of a file) one after another. `emit` hands at most
 * `max` records to `out` and says whether more remain; it may be
 * asynchronous (file reads).
 *
 * `snapshotSplits()` is the source's operator state: the unread remainder of
 * every split, taken between two `emit` calls. A restored source is built
 * from such splits — possibly regrouped over a different parallelism
 * (`assignSplits`) — and reads exactly what was not read before.
 */
export interface SourceReader {
  open?(): Promise<void>;
  emit(out: Output, max: number): boolean | Promise<boolean>;
  snapshotSplits(): unknown[];
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
