import type { Output } from '../output.js';
import { splitRange, type SourceReader } from './source-reader.js';

/** fromSequence(from, to): subtask i emits its contiguous share of the range, in order. */
export class SequenceSource implements SourceReader {
  private next: number;
  private readonly end: number;

  constructor(from: number, to: number, subtaskIndex: number, parallelism: number) {
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to < from - 1) {
      throw new Error(`fromSequence(${from}, ${to}): expected safe integers with from <= to`);
    }
    const { start, end } = splitRange(to - from + 1, subtaskIndex, parallelism);
    this.next = from + start;
    this.end = from + end; // exclusive
  }

  emit(out: Output, max: number): boolean {
    const stop = Math.min(this.end, this.next + max);
    let value = this.next;
    while (value < stop) out.collect(value++);
    this.next = value;
    return value < this.end;
  }

  position(): number {
    return this.next;
  }
}

/** fromElements(...): parallelism 1, the values in order. */
export class ElementsSource implements SourceReader {
  private index = 0;

  constructor(private readonly elements: readonly unknown[]) {}

  emit(out: Output, max: number): boolean {
    const stop = Math.min(this.elements.length, this.index + max);
    while (this.index < stop) out.collect(this.elements[this.index++]);
    return this.index < this.elements.length;
  }

  position(): number {
    return this.index;
  }
}
