import type { Boundedness, SourceReader, SplitEnumerator, SplitEnumeratorContext } from '@rivulet/api';
import type { BuiltinSource } from './builtin-source.js';
import { IndexRangeReader, type ReadingRange } from './index-range-reader.js';
import { indexRangeSplits, isIndexRangeSplit, type IndexRangeSplit } from './index-range-split.js';
import { OwnedSplitEnumerator, preview, unassignedSplitsOf, type OwnedSplitsCheckpoint } from './owned-split-enumerator.js';

/**
 * fromElements(...values) (Flink's fromData: a DataGeneratorSource over the
 * values' positions): the values in order, as splits of their positions
 * [0, n) — one split at the source's parallelism of 1. A split's position
 * is the index of the next value it emits. The values themselves come from
 * the job bundle, wherever the source is built.
 */
export class FromElementsSource<T> implements BuiltinSource<T, IndexRangeSplit> {
  constructor(
    private readonly elements: readonly T[],
    readonly description: string,
  ) {}

  getBoundedness(): Boundedness {
    return 'BOUNDED';
  }

  createEnumerator(context: SplitEnumeratorContext<IndexRangeSplit>): SplitEnumerator<IndexRangeSplit, OwnedSplitsCheckpoint<IndexRangeSplit>> {
    return new OwnedSplitEnumerator(context, indexRangeSplits(0, this.elements.length, context.currentParallelism()));
  }

  restoreEnumerator(context: SplitEnumeratorContext<IndexRangeSplit>, checkpoint: OwnedSplitsCheckpoint<IndexRangeSplit>): SplitEnumerator<IndexRangeSplit, OwnedSplitsCheckpoint<IndexRangeSplit>> {
    return new OwnedSplitEnumerator(context, unassignedSplitsOf(checkpoint, isIndexRangeSplit, this.description, 'elements'));
  }

  createReader(): SourceReader<T, IndexRangeSplit> {
    return new ElementsReader(this.elements, this.description);
  }

  /** Before the Source API the (single) elements reader's state was `{ index }`, the next value's position. */
  splitsOfReaderState(state: readonly unknown[]): IndexRangeSplit[] {
    const count = this.elements.length;
    return state.map((entry, i) => {
      if (isIndexRangeSplit(entry)) return entry;
      const legacy = entry as { index?: unknown; splitId?: unknown } | null;
      if (legacy?.splitId === undefined && Number.isInteger(legacy?.index) && (legacy!.index as number) >= 0) {
        const index = Math.min(legacy!.index as number, count);
        return { splitId: `restored-${index}-${count}`, next: index, end: count };
      }
      throw new Error(`${this.description}: entry ${i} of its restored state is not an elements split: ${preview(entry)}`);
    });
  }
}

class ElementsReader<T> extends IndexRangeReader<T> {
  constructor(
    private readonly elements: readonly T[],
    private readonly description: string,
  ) {
    super();
  }

  protected override started(split: IndexRangeSplit): ReadingRange {
    if (split.next < 0 || split.end > this.elements.length) {
      throw new Error(`${this.description}: split "${split.splitId}" reads values [${split.next}, ${split.end}) but fromElements has ${this.elements.length} (did the job's values change since the snapshot?)`);
    }
    return super.started(split);
  }

  protected emitRange(records: { collect(record: T): void }, from: number, to: number): void {
    const elements = this.elements;
    for (let i = from; i < to; i++) records.collect(elements[i]!);
  }
}
