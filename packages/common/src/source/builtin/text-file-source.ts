import type { Boundedness, SourceReader, SplitEnumerator, SplitEnumeratorContext } from '@rivulet/api';
import type { BuiltinSource } from './builtin-source.js';
import { OwnedSplitEnumerator, preview, unassignedSplitsOf, type OwnedSplitsCheckpoint } from './owned-split-enumerator.js';
import { TextFileReader } from './text-file-reader.js';
import { isTextFileSplit, textFileSplits, type TextFileSplit } from './text-file-split.js';

/**
 * readTextFile(path) (Flink's FileSource with a TextLineInputFormat, its
 * file cut by bytes as the DelimitedInputFormat cuts one): the lines of one
 * file, without their terminators, as `parallelism` splits — shares of its
 * bytes — so that a file is read in parallel and every line by exactly one
 * reader: the one whose split the line starts in.
 */
export class TextFileSource implements BuiltinSource<string, TextFileSplit> {
  constructor(
    readonly path: string,
    readonly description: string,
  ) {
    if (typeof path !== 'string' || path === '') throw new Error(`${description}: readTextFile needs a path, got ${preview(path)}`);
  }

  getBoundedness(): Boundedness {
    return 'BOUNDED';
  }

  createEnumerator(context: SplitEnumeratorContext<TextFileSplit>): SplitEnumerator<TextFileSplit, OwnedSplitsCheckpoint<TextFileSplit>> {
    return new OwnedSplitEnumerator(context, textFileSplits(this.path, context.currentParallelism()));
  }

  restoreEnumerator(context: SplitEnumeratorContext<TextFileSplit>, checkpoint: OwnedSplitsCheckpoint<TextFileSplit>): SplitEnumerator<TextFileSplit, OwnedSplitsCheckpoint<TextFileSplit>> {
    return new OwnedSplitEnumerator(context, unassignedSplitsOf(checkpoint, isTextFileSplit, this.description, 'text file'));
  }

  createReader(): SourceReader<string, TextFileSplit> {
    return new TextFileReader(this.description);
  }

  /**
   * Before the Source API a text file reader's state was its unread byte
   * ranges `{ path, start, end, atLineStart }`: each becomes a `bytes` split.
   */
  splitsOfReaderState(state: readonly unknown[]): TextFileSplit[] {
    return state.map((entry, i) => {
      if (isTextFileSplit(entry)) return entry;
      const legacy = entry as { path?: unknown; start?: unknown; end?: unknown; atLineStart?: unknown; splitId?: unknown } | null;
      const { path, start, end, atLineStart } = legacy ?? {};
      if (legacy?.splitId === undefined && typeof path === 'string' && path !== '' && Number.isSafeInteger(start) && Number.isSafeInteger(end)
        && (start as number) >= 0 && (start as number) <= (end as number) && typeof atLineStart === 'boolean') {
        return { splitId: `restored-${start as number}-${end as number}`, path, range: { kind: 'bytes', start: start as number, end: end as number, atLineStart } };
      }
      throw new Error(`${this.description}: entry ${i} of its restored state is not a text file split: ${preview(entry)}`);
    });
  }
}
