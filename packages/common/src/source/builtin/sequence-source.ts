import type { Boundedness, SourceReader, SplitEnumerator, SplitEnumeratorContext } from '@rivulet/api';
import type { BuiltinSource } from './builtin-source.js';
import { IndexRangeReader, type ReadingRange } from './index-range-reader.js';
import { indexRangeSplits, isIndexRangeSplit, type IndexRangeSplit } from './index-range-split.js';
import { OwnedSplitEnumerator, preview, unassignedSplitsOf, type OwnedSplitsCheckpoint } from './owned-split-enumerator.js';

/**
 * fromSequence(from, to) (Flink's NumberSequenceSource): the integers from
 * `from` to `to`, both included, as `parallelism` splits of contiguous
 * numbers ("0".."p-1", split k for subtask k), each read in order. A split's
 * position is the next number it emits.
 */
export class NumberSequenceSource implements BuiltinSource<number, IndexRangeSplit> {
  constructor(
    readonly from: number,
    readonly to: number,
    readonly description: string,
  ) {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from > to) {
      throw new Error(`${description}: fromSequence(${String(from)}, ${String(to)}) needs safe integers with from <= to`);
    }
  }

  getBoundedness(): Boundedness {
    return 'BOUNDED';
  }

  createEnumerator(context: SplitEnumeratorContext<IndexRangeSplit>): SplitEnumerator<IndexRangeSplit, OwnedSplitsCheckpoint<IndexRangeSplit>> {
    return new OwnedSplitEnumerator(context, indexRangeSplits(this.from, this.to + 1, context.currentParallelism()));
  }

  restoreEnumerator(context: SplitEnumeratorContext<IndexRangeSplit>, checkpoint: OwnedSplitsCheckpoint<IndexRangeSplit>): SplitEnumerator<IndexRangeSplit, OwnedSplitsCheckpoint<IndexRangeSplit>> {
    return new OwnedSplitEnumerator(context, unassignedSplitsOf(checkpoint, isIndexRangeSplit, this.description, 'sequence'));
  }

  createReader(): SourceReader<number, IndexRangeSplit> {
    return new SequenceReader();
  }

  /** Before the Source API a sequence reader's state was its unread ranges `{ next, end }`. */
  splitsOfReaderState(state: readonly unknown[]): IndexRangeSplit[] {
    return state.map((entry, i) => {
      if (isIndexRangeSplit(entry)) return entry;
      const legacy = entry as { next?: unknown; end?: unknown; splitId?: unknown } | null;
      if (legacy?.splitId === undefined && Number.isInteger(legacy?.next) && Number.isInteger(legacy?.end) && (legacy!.next as number) <= (legacy!.end as number)) {
        const { next, end } = legacy as { next: number; end: number };
        return { splitId: `restored-${next}-${end}`, next, end };
      }
      throw new Error(`${this.description}: entry ${i} of its restored state is not a sequence split: ${preview(entry)}`);
    });
  }
}

class SequenceReader extends IndexRangeReader<number, IndexRangeSplit> {
  protected started(split: IndexRangeSplit): ReadingRange {
    return { splitId: split.splitId, next: split.next, end: split.end };
  }

  protected positionOf(range: ReadingRange): IndexRangeSplit {
    return { splitId: range.splitId, next: range.next, end: range.end };
  }

  protected emitRange(records: { collect(record: number): void }, from: number, to: number): void {
    for (let value = from; value < to; value++) records.collect(value);
  }
}
