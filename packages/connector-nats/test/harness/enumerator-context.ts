import type { ReaderInfo, SourceSplit, SplitEnumeratorContext } from '@rivulet/api';

/**
 * A SplitEnumeratorContext for tests: readers are registered by the test,
 * assignments and no-more-splits signals are recorded, callAsync runs the
 * callable at once (no period) and keeps the handler's error for the test.
 */
export class TestEnumeratorContext<Split extends SourceSplit> implements SplitEnumeratorContext<Split> {
  readonly readers = new Map<number, ReaderInfo>();
  readonly assigned = new Map<number, Split[]>();
  readonly noMoreSplits = new Set<number>();
  asyncError: Error | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly parallelism: number) {}

  register(subtask: number): void {
    this.readers.set(subtask, { subtaskId: subtask, location: '127.0.0.1' });
  }

  currentParallelism(): number {
    return this.parallelism;
  }

  registeredReaders(): ReadonlyMap<number, ReaderInfo> {
    return this.readers;
  }

  assignSplits(assignment: ReadonlyMap<number, readonly Split[]>): void {
    for (const [subtask, splits] of assignment) for (const split of splits) this.assignSplit(split, subtask);
  }

  assignSplit(split: Split, subtask: number): void {
    if (!this.readers.has(subtask)) throw new Error(`split ${split.splitId} assigned to unregistered reader ${subtask}`);
    const list = this.assigned.get(subtask) ?? [];
    list.push(split);
    this.assigned.set(subtask, list);
  }

  signalNoMoreSplits(subtask: number): void {
    this.noMoreSplits.add(subtask);
  }

  sendEventToSourceReader(): void {
    // not used by the NATS source
  }

  callAsync<R>(callable: () => Promise<R>, handler: (result: R | undefined, error: Error | undefined) => void): void {
    this.running = this.running.then(async () => {
      let result: R | undefined;
      let error: Error | undefined;
      try {
        result = await callable();
      } catch (err) {
        error = err as Error;
      }
      try {
        handler(result, error);
      } catch (err) {
        this.asyncError = err as Error;
      }
    });
  }

  /** Resolves once every callAsync so far has run its handler. */
  settled(): Promise<void> {
    return this.running;
  }
}
