import type { Boundedness, SourceReader, SourceSplit, SplitEnumerator, SplitEnumeratorContext } from '@rivulet/api';
import type { BuiltinSource } from './builtin-source.js';
import { IndexRangeReader, type ReadingRange } from './index-range-reader.js';
import type { IndexRangeSplit } from './index-range-split.js';
import { OwnedSplitEnumerator, preview, unassignedSplitsOf, type OwnedSplitsCheckpoint } from './owned-split-enumerator.js';

/**
 * The split of fromElements: its values from position `next` (the split's
 * position: the index of the next value to emit) to the last. The source is
 * not parallel, so one split holds them all, and it needs not say how many:
 * the enumerator never sees the values (they are in the job bundle, which
 * the JobManager does not load for a built-in source), the reader does.
 */
export interface ElementsSplit extends SourceSplit {
  readonly next: number;
}

export function isElementsSplit(value: unknown): value is ElementsSplit {
  const split = value as Partial<ElementsSplit> | null;
  return typeof split?.splitId === 'string' && Number.isSafeInteger(split.next) && split.next! >= 0;
}

/**
 * fromElements(...values) (Flink's fromData: a DataGeneratorSource over the
 * values' positions): the values in order, as one split "0" of all of them,
 * which subtask 0 reads (the source's parallelism is 1). The values come
 * from the job bundle where a reader is built; an enumerator needs none
 * (`elements` undefined).
 */
export class FromElementsSource<T> implements BuiltinSource<T, ElementsSplit> {
  constructor(
    private readonly elements: readonly T[] | undefined,
    readonly description: string,
  ) {}

  getBoundedness(): Boundedness {
    return 'BOUNDED';
  }

  createEnumerator(context: SplitEnumeratorContext<ElementsSplit>): SplitEnumerator<ElementsSplit, OwnedSplitsCheckpoint<ElementsSplit>> {
    return new OwnedSplitEnumerator(context, [{ splitId: '0', next: 0 }]);
  }

  restoreEnumerator(context: SplitEnumeratorContext<ElementsSplit>, checkpoint: OwnedSplitsCheckpoint<ElementsSplit>): SplitEnumerator<ElementsSplit, OwnedSplitsCheckpoint<ElementsSplit>> {
    return new OwnedSplitEnumerator(context, unassignedSplitsOf(checkpoint, isElementsSplit, this.description, 'elements'));
  }

  createReader(): SourceReader<T, ElementsSplit> {
    if (this.elements === undefined) throw new Error(`${this.description}: fromElements has no values in the job bundle as built here (the job's build must be deterministic)`);
    return new ElementsReader(this.elements, this.description);
  }

  /** Before the Source API the (single) elements reader's state was `{ index }`, the next value's position. */
  splitsOfReaderState(state: readonly unknown[]): ElementsSplit[] {
    return state.map((entry, i) => {
      if (isElementsSplit(entry)) return entry;
      const legacy = entry as { index?: unknown; splitId?: unknown } | null;
      if (legacy?.splitId === undefined && Number.isSafeInteger(legacy?.index) && (legacy!.index as number) >= 0) {
        return { splitId: `restored-${legacy!.index as number}`, next: legacy!.index as number };
      }
      throw new Error(`${this.description}: entry ${i} of its restored state is not an elements split: ${preview(entry)}`);
    });
  }
}

class ElementsReader<T> extends IndexRangeReader<T, ElementsSplit> {
  constructor(
    private readonly elements: readonly T[],
    private readonly description: string,
  ) {
    super();
  }

  protected started(split: ElementsSplit): ReadingRange {
    if (split.next > this.elements.length) {
      throw new Error(`${this.description}: split "${split.splitId}" resumes at value ${split.next} but fromElements has ${this.elements.length} (did the job's values change since the snapshot?)`);
    }
    return { splitId: split.splitId, next: split.next, end: this.elements.length };
  }

  protected positionOf(range: ReadingRange): ElementsSplit {
    return { splitId: range.splitId, next: range.next };
  }

  protected emitRange(records: { collect(record: T): void }, from: number, to: number): void {
    const elements = this.elements;
    for (let i = from; i < to; i++) records.collect(elements[i]!);
  }
}
