import type { SourceSplit, SplitEnumerator, SplitEnumeratorContext } from '@rivulet/api';
import { ownerOf } from './split-ownership.js';

/** The checkpoint of a built-in source's enumerator: the splits no reader holds. */
export interface OwnedSplitsCheckpoint<S extends SourceSplit> {
  readonly version: 1;
  readonly unassigned: readonly S[];
}

/**
 * What a built-in source's enumerator restores from a snapshot written
 * before the built-in sources ran on the Source API: back then every split
 * was in its reader's state (operator list state), so none is unassigned.
 */
export const CHECKPOINT_OF_READER_HELD_SPLITS: OwnedSplitsCheckpoint<never> = Object.freeze({ version: 1, unassigned: Object.freeze([]) });

/**
 * The split enumerator of the built-in sources (fromSequence, fromElements,
 * readTextFile): Flink's IteratorSourceEnumerator, except that every split
 * has one owner, `ownerOf(splitId, parallelism)`, and goes to that reader
 * only. A reader is served when it registers (a request serves it again):
 * it is given every unassigned split it owns, then told there are no more.
 *
 * Why owners rather than first come, first served: the assignment is a
 * function of the splits and the parallelism, so it does not depend on the
 * order readers register in. Subtask i reads share i of the input (as
 * before the Source API), and an enumerator recreated after a JobManager
 * failover and told of the running readers again (addReader) hands each the
 * splits it already has — its reader ignores a split id it has seen — and
 * ends up with the state the lost enumerator had, so the readers need not
 * restart (docs/source-api.md, "Built-in sources").
 *
 * Invariants: a split is unassigned here or assigned to its owner, never
 * both; splits given back (addSplitsBack, the owner restarts) go to their
 * owner again when it registers; the checkpoint is the unassigned splits.
 */
export class OwnedSplitEnumerator<S extends SourceSplit> implements SplitEnumerator<S, OwnedSplitsCheckpoint<S>> {
  private unassigned: S[];

  constructor(
    private readonly context: SplitEnumeratorContext<S>,
    splits: readonly S[],
  ) {
    this.unassigned = [...splits];
  }

  start(): void {}

  addReader(subtask: number): void {
    this.serve(subtask);
  }

  handleSplitRequest(subtask: number): void {
    this.serve(subtask);
  }

  addSplitsBack(splits: S[]): void {
    this.unassigned.push(...splits);
  }

  snapshotState(): OwnedSplitsCheckpoint<S> {
    return { version: 1, unassigned: [...this.unassigned] };
  }

  private serve(subtask: number): void {
    const parallelism = this.context.currentParallelism();
    const owned = this.unassigned.filter((split) => ownerOf(split.splitId, parallelism) === subtask);
    if (owned.length > 0) {
      this.unassigned = this.unassigned.filter((split) => ownerOf(split.splitId, parallelism) !== subtask);
      this.context.assignSplits(new Map([[subtask, owned]]));
    }
    this.context.signalNoMoreSplits(subtask);
  }
}

/**
 * The unassigned splits of a built-in enumerator's checkpoint; throws an
 * error naming `source` when `checkpoint` is not one, or holds a split that
 * is not of this source (`isSplit`).
 */
export function unassignedSplitsOf<S extends SourceSplit>(checkpoint: unknown, isSplit: (value: unknown) => value is S, source: string, kind: string): S[] {
  const state = checkpoint as Partial<OwnedSplitsCheckpoint<S>> | null | undefined;
  if (state?.version !== 1 || !Array.isArray(state.unassigned)) {
    throw new Error(`${source}: its enumerator checkpoint is not one of a built-in source (expected { version: 1, unassigned: [...] }, got ${preview(checkpoint)})`);
  }
  state.unassigned.forEach((split, i) => {
    if (!isSplit(split)) throw new Error(`${source}: unassigned split ${i} of its enumerator checkpoint is not a ${kind} split: ${preview(split)}`);
  });
  return [...state.unassigned];
}

/** A short rendering of restored data for an error message. */
export function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
