import type { ReaderOutput } from '@rivulet/api';

/** The key under which a ReaderOutput offers its batch path (not part of the public API). */
export const RECORD_BATCH_OUTPUT: unique symbol = Symbol('rivulet.record-batch-output');

/**
 * The batch path of a ReaderOutput, for the runtime's own readers (the
 * built-in sources): records go straight to the operator chain, with no
 * per-record timestamp, watermark or idleness work and no call through the
 * ReaderOutput. The runtime offers it only where that work is nil — a
 * strategy without timestamp assigner, watermark generator or idleness
 * (`WatermarkStrategy.noWatermarks()`, the built-in sources' strategy) — so
 * a reader emits the same records, with the same (absent) timestamps, on
 * either path.
 *
 * Contract: a reader collects at most `remaining()` records into `records`
 * in one pollNext, then reports how many with `emitted(count)` before it
 * returns (also when it stops early).
 */
export interface RecordBatchOutput {
  /** How many records this poll may still emit (at least 1 while the runtime polls). */
  remaining(): number;
  /** The operator chain's input. */
  readonly records: { collect(record: unknown): void };
  emitted(count: number): void;
}

/** The batch path `output` offers, if any. */
export function recordBatchOutputOf(output: ReaderOutput<unknown>): RecordBatchOutput | undefined {
  return (output as { [RECORD_BATCH_OUTPUT]?: RecordBatchOutput | undefined })[RECORD_BATCH_OUTPUT];
}
