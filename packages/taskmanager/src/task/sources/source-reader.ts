import type { Output } from '../output.js';

/**
 * A parallel instance of a source. `emit` hands at most `max` records to
 * `out` and says whether more remain; it may be asynchronous (file reads).
 * `position()` is what a checkpoint records so the source can rewind.
 */
export interface SourceReader {
  open?(): Promise<void>;
  emit(out: Output, max: number): boolean | Promise<boolean>;
  position(): unknown;
  close?(): Promise<void>;
}

/** The contiguous share of [0, total) that subtask `index` of `parallelism` reads. */
export function splitRange(total: number, index: number, parallelism: number): { start: number; end: number } {
  return {
    start: Math.floor((total * index) / parallelism),
    end: Math.floor((total * (index + 1)) / parallelism),
  };
}
