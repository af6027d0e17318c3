import type { SourceSplit } from '@rivulet/api';
import { shareOf } from './split-ownership.js';

/**
 * A split of an index source: the indices [next, end) — the numbers of
 * fromSequence, the positions of fromElements' values. `next` is the
 * split's position: a reader's checkpoint holds each unfinished split with
 * the index it reads next.
 */
export interface IndexRangeSplit extends SourceSplit {
  readonly next: number;
  /** Exclusive. */
  readonly end: number;
}

export function isIndexRangeSplit(value: unknown): value is IndexRangeSplit {
  const split = value as Partial<IndexRangeSplit> | null;
  return typeof split?.splitId === 'string' && Number.isInteger(split.next) && Number.isInteger(split.end) && split.next! <= split.end!;
}

/**
 * [start, end) cut into `parallelism` contiguous splits "0".."p-1" (Flink's
 * NumberSequenceIterator.split: one per reader), split k being share k
 * (shareOf), which its owner, subtask k, reads. Some are empty when the
 * range is shorter than the parallelism.
 */
export function indexRangeSplits(start: number, end: number, parallelism: number): IndexRangeSplit[] {
  return Array.from({ length: parallelism }, (_, k) => {
    const share = shareOf(end - start, k, parallelism);
    return { splitId: String(k), next: start + share.start, end: start + share.end };
  });
}
