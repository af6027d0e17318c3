import type { Output } from '../output.js';
import { splitRange, type SourceReader } from './source-reader.js';

/** An unread range [next, end) of a sequence (end exclusive). */
export interface SequenceSplit {
  readonly next: number;
  readonly end: number;
}

/** The initial split of subtask `index`: its contiguous share of [from, to]. */
export function initialSequenceSplits(from: number, to: number, index: number, parallelism: number): SequenceSplit[] {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to < from - 1) {
    throw new Error(`fromSequence(${from}, ${to}): expected safe integers with from <= to`);
  }
  const { start, end } = splitRange(to - from + 1, index, parallelism);
  return [{ next: from + start, end: from + end }];
}

/** fromSequence(from, to): emits its splits in order. */
export class SequenceSource implements SourceReader {
  private readonly splits: Array<{ next: number; end: number }>;

  constructor(splits: readonly SequenceSplit[]) {
    this.splits = splits.filter((s) => s.next < s.end).map((s) => ({ ...s }));
  }

  emit(out: Output, max: number): boolean {
    let budget = max;
    while (budget > 0) {
      const split = this.splits[0];
      if (!split) return false;
      const stop = Math.min(split.end, split.next + budget);
      let value = split.next;
      while (value < stop) out.collect(value++);
      budget -= value - split.next;
      split.next = value;
      if (value >= split.end) this.splits.shift();
    }
    return this.splits.length > 0;
  }

  snapshotSplits(): SequenceSplit[] {
    return this.splits.map((s) => ({ next: s.next, end: s.end }));
  }
}

/** fromElements(...): parallelism 1, the values in order; its state is the next index. */
export class ElementsSource implements SourceReader {
  private index: number;

  constructor(private readonly elements: readonly unknown[], restoredIndex = 0) {
    this.index = restoredIndex;
  }

  emit(out: Output, max: number): boolean {
    const stop = Math.min(this.elements.length, this.index + max);
    while (this.index < stop) out.collect(this.elements[this.index++]);
    return this.index < this.elements.length;
  }

  snapshotSplits(): Array<{ index: number }> {
    return [{ index: this.index }];
  }
}
