import type { Source, SourceSplit } from '@rivulet/api';
import type { OwnedSplitsCheckpoint } from './owned-split-enumerator.js';

/**
 * A source of the runtime's own (fromSequence, fromElements, readTextFile):
 * a Source with an OwnedSplitEnumerator, whose readers also restore the
 * state layout the source had before it ran on the Source API.
 */
export interface BuiltinSource<T, S extends SourceSplit> extends Source<T, S, OwnedSplitsCheckpoint<S>> {
  /** Names the source in errors, e.g. `source 'Source: Sequence' (numbers)`. */
  readonly description: string;
  /**
   * The splits of a reader's restored operator state: splits as the reader
   * writes them, or as the source wrote its state before it ran on the
   * Source API (mapped to splits); throws naming the source when an entry
   * is neither.
   */
  splitsOfReaderState(state: readonly unknown[]): S[];
}
