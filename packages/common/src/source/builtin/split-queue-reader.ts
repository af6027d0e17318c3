import type { InputStatus, ReaderOutput, SourceReader, SourceSplit } from '@rivulet/api';

/**
 * What the built-in sources' readers share (Flink's IteratorSourceReader):
 * the splits the reader was given, read one after another in the order they
 * came, and the end of the input once the enumerator said no more come.
 *
 * Invariants:
 * - a split id is read at most once per attempt: a split given again (the
 *   enumerator re-serves readers after a JobManager failover) is ignored,
 *   whether the reader still reads it or has finished it;
 * - the reader never asks for splits: its enumerator serves it when it
 *   registers (OwnedSplitEnumerator);
 * - `isAvailable` resolves once a split is queued or no more will come.
 */
export abstract class SplitQueueReader<T, S extends SourceSplit, Q> implements SourceReader<T, S> {
  /** Splits given and not finished, in order, each with its position (`Q`); the first is being read. */
  protected readonly queue: Q[] = [];
  private readonly seen = new Set<string>();
  private noMoreSplits = false;
  private available: { readonly promise: Promise<void>; readonly resolve: () => void } | undefined;

  start(): void {}

  abstract pollNext(output: ReaderOutput<T>): InputStatus | Promise<InputStatus>;

  addSplits(splits: S[]): void {
    for (const split of splits) {
      if (this.seen.has(split.splitId)) continue;
      this.seen.add(split.splitId);
      this.queue.push(this.started(split));
    }
    this.wakeUp();
  }

  notifyNoMoreSplits(): void {
    this.noMoreSplits = true;
    this.wakeUp();
  }

  isAvailable(): Promise<void> {
    if (this.queue.length > 0 || this.noMoreSplits) return Promise.resolve();
    if (!this.available) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.available = { promise, resolve };
    }
    return this.available.promise;
  }

  abstract snapshotState(checkpointId: number): S[] | Promise<S[]>;

  close(): void | Promise<void> {}

  /** The split as the reader keeps it while reading: with a position it updates. */
  protected abstract started(split: S): Q;

  /** What pollNext returns: more while a split is queued; then the end, once no more splits come. */
  protected status(): InputStatus {
    if (this.queue.length > 0) return 'MORE_AVAILABLE';
    return this.noMoreSplits ? 'END_OF_INPUT' : 'NOTHING_AVAILABLE';
  }

  private wakeUp(): void {
    const available = this.available;
    this.available = undefined;
    available?.resolve();
  }
}
