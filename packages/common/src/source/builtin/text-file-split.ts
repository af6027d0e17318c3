import type { SourceSplit } from '@rivulet/api';

/**
 * Which lines of the file a split reads: those that start in a byte range.
 * - `share`: share `index` of `count` of the file's bytes (shareOf), as the
 *   enumerator cuts the file; resolved to bytes against the file's size when
 *   a reader opens the split (the enumerator, on the JobManager, never
 *   touches the file, which only the TaskManagers may see);
 * - `bytes`: [start, end); `atLineStart` says `start` is known to begin a
 *   line (a position a reader reached), else a line straddling `start`
 *   belongs to the split before and is skipped.
 */
export type TextFileRange =
  | { readonly kind: 'share'; readonly index: number; readonly count: number }
  | { readonly kind: 'bytes'; readonly start: number; readonly end: number; readonly atLineStart: boolean };

/**
 * A split of readTextFile (Flink's FileSourceSplit, with positions as byte
 * offsets): a byte range of one file. A reader's checkpoint holds each
 * unfinished split as `bytes` from the offset of the next line to read.
 */
export interface TextFileSplit extends SourceSplit {
  readonly path: string;
  readonly range: TextFileRange;
}

export function isTextFileSplit(value: unknown): value is TextFileSplit {
  const split = value as Partial<TextFileSplit> | null;
  if (typeof split?.splitId !== 'string' || typeof split.path !== 'string' || split.path === '') return false;
  const range = split.range as Partial<Record<string, unknown>> | undefined;
  if (range?.['kind'] === 'share') {
    const { index, count } = range as { index: unknown; count: unknown };
    return Number.isInteger(count) && (count as number) >= 1 && Number.isInteger(index) && (index as number) >= 0 && (index as number) < (count as number);
  }
  if (range?.['kind'] === 'bytes') {
    const { start, end, atLineStart } = range as { start: unknown; end: unknown; atLineStart: unknown };
    return Number.isSafeInteger(start) && Number.isSafeInteger(end) && (start as number) >= 0 && (start as number) <= (end as number) && typeof atLineStart === 'boolean';
  }
  return false;
}

/** The file cut into `parallelism` shares, split k ("k") being share k, which its owner, subtask k, reads. */
export function textFileSplits(path: string, parallelism: number): TextFileSplit[] {
  return Array.from({ length: parallelism }, (_, k) => ({ splitId: String(k), path, range: { kind: 'share', index: k, count: parallelism } }));
}
