import type { InputStatus, ReaderOutput, SourceSplit } from '@rivulet/api';
import { recordBatchOutputOf } from './record-batch-output.js';
import { SplitQueueReader } from './split-queue-reader.js';

/** Records per pollNext when the output offers no batch path (then the runtime's budget is unknown). */
const RECORDS_PER_POLL = 256;

/** A split being read: its range, and `next` advancing. */
export interface ReadingRange {
  readonly splitId: string;
  next: number;
  readonly end: number;
}

/**
 * Reads index ranges one after another (Flink's IteratorSourceReader over
 * NumberSequenceSplits); a split of type `S` is read as a range of indices
 * (`started`) and written back with its position (`positionOf`), and
 * `emitRange` turns indices into records. A poll emits what the runtime's
 * batch asks for (RecordBatchOutput), from one split, without any
 * per-record check: a loop of `collect` calls.
 */
export abstract class IndexRangeReader<T, S extends SourceSplit> extends SplitQueueReader<T, S, ReadingRange> {
  pollNext(output: ReaderOutput<T>): InputStatus {
    const range = this.queue[0];
    if (range === undefined) return this.status();
    const batch = recordBatchOutputOf(output as ReaderOutput<unknown>);
    const from = range.next;
    const stop = Math.min(range.end, from + (batch === undefined ? RECORDS_PER_POLL : Math.max(1, batch.remaining())));
    if (batch === undefined) {
      this.emitRange(output, from, stop);
    } else {
      this.emitRange(batch.records, from, stop);
      batch.emitted(stop - from);
    }
    range.next = stop;
    if (stop >= range.end) this.queue.shift();
    return this.status();
  }

  snapshotState(): S[] {
    return this.queue.map((range) => this.positionOf(range));
  }

  /** The split as a checkpoint holds it: at the range's next index. */
  protected abstract positionOf(range: ReadingRange): S;

  /** Collects the records of indices [from, to) into `records`, in order. */
  protected abstract emitRange(records: { collect(record: T): void }, from: number, to: number): void;
}
