import type { ReaderInfo, Source, SourceSplit, SplitEnumerator, SplitEnumeratorContext } from '@rivulet/api';
import { errorMessage, type EnumeratorEvent, type ReaderEvent } from '@rivulet/common/task-runtime';
import { SplitAssignmentTracker } from './split-assignment-tracker.js';

/** Where an enumerator's host sends what it produces. */
export interface EnumeratorHostSink {
  /** `attemptId`: the execution attempt of the registered reader. */
  toReader(subtask: number, attemptId: string, event: EnumeratorEvent): void;
  /** The enumerator (or a handler of its callAsync) failed: the job fails over. */
  failed(reason: string): void;
}

/**
 * The split enumerator of one source operator, in the source
 * coordinator thread, with the SplitEnumeratorContext it is given (Flink's
 * SourceCoordinator and SourceCoordinatorContext).
 *
 * Invariants:
 * - enumerator methods are called one at a time (a promise one returns is
 *   awaited before the next call: calls are chained);
 * - splits are assigned, and events sent, only to registered readers; every
 *   assignment is tracked (SplitAssignmentTracker) until a completed
 *   checkpoint covers it, so a restarting subtask's uncovered splits go back
 *   to the enumerator (addSplitsBack) before it registers again;
 * - any error of the enumerator's code is reported through `failed`, naming
 *   the source and the method; the host then calls nothing more.
 */
export class EnumeratorHost {
  private enumerator: SplitEnumerator<SourceSplit, unknown> | undefined;
  private readonly readers = new Map<number, ReaderInfo & { readonly attemptId: string }>();
  private readonly tracker = new SplitAssignmentTracker<SourceSplit>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** The chain of enumerator calls: each runs after the previous settled. */
  private calls: Promise<unknown> = Promise.resolve();
  private broken = false;
  private closed = false;
  readonly description: string;

  constructor(
    readonly operatorId: string,
    readonly name: string,
    private readonly parallelism: number,
    private readonly source: Source<unknown, SourceSplit, unknown>,
    private readonly sink: EnumeratorHostSink,
    /** Told when enumerator code starts (true) and stops (false) running synchronously: a stuck thread names its source. */
    private readonly running: (running: boolean) => void = () => undefined,
  ) {
    this.description = `source '${name}' (${operatorId})`;
  }

  /** Creates (or restores from `restored`) and starts the enumerator. */
  start(restored: { readonly state: unknown } | undefined): Promise<void> {
    return this.enqueue('start', async () => {
      const context = this.context();
      const enumerator = restored
        ? this.source.restoreEnumerator(context, restored.state)
        : this.source.createEnumerator(context);
      if (typeof enumerator?.start !== 'function') {
        throw new Error(`${restored ? 'restoreEnumerator' : 'createEnumerator'}() did not return a SplitEnumerator`);
      }
      this.enumerator = enumerator;
      await enumerator.start();
    });
  }

  /** An event of the reader of execution attempt `attemptId`; anything but a registration is dropped unless that attempt is the registered one. */
  handleReaderEvent(event: ReaderEvent, attemptId: string): Promise<void> {
    // Checked when the call runs (after the calls queued before it, e.g. this reader's registration).
    const fromRegistered = (): boolean => this.readers.get(event.subtask)?.attemptId === attemptId;
    switch (event.kind) {
      case 'reader-registration':
        return this.enqueue('addReader', (enumerator) => {
          this.readers.set(event.subtask, { subtaskId: event.subtask, location: event.location, attemptId });
          return enumerator.addReader(event.subtask);
        });
      case 'split-request':
        return this.enqueue('handleSplitRequest', (enumerator) => fromRegistered() ? enumerator.handleSplitRequest(event.subtask, event.hostname) : undefined);
      case 'source-event':
        return this.enqueue('handleSourceEvent', (enumerator) => fromRegistered() ? enumerator.handleSourceEvent?.(event.subtask, event.event) : undefined);
    }
  }

  /**
   * The reader of attempt `attemptId` registered with a previous leader and
   * runs on (a new leader adopted it): it counts as registered now, and the
   * enumerator is told so (addReader), as if it had just registered.
   */
  adoptReader(subtask: number, attemptId: string, location: string): Promise<void> {
    return this.handleReaderEvent({ kind: 'reader-registration', subtask, location }, attemptId);
  }

  /** `subtask` restarts from checkpoint `restoredFrom`: it is unregistered and its uncovered splits go back to the enumerator. */
  subtaskReset(subtask: number, restoredFrom: number | undefined): Promise<void> {
    return this.enqueue('addSplitsBack', (enumerator) => {
      this.readers.delete(subtask);
      const splits = this.tracker.takeUncheckpointed(subtask, restoredFrom);
      if (splits.length > 0) return enumerator.addSplitsBack(splits, subtask);
      return undefined;
    });
  }

  /** The enumerator's state for checkpoint `checkpointId` (rejects when it cannot be taken). */
  snapshot(checkpointId: number): Promise<unknown> {
    return this.enqueue('snapshotState', async (enumerator) => {
      const state = await enumerator.snapshotState(checkpointId);
      this.tracker.onCheckpoint(checkpointId);
      return state;
    }, true);
  }

  checkpointComplete(checkpointId: number): Promise<void> {
    return this.enqueue('notifyCheckpointComplete', (enumerator) => {
      this.tracker.onCheckpointComplete(checkpointId);
      return enumerator.notifyCheckpointComplete?.(checkpointId);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const enumerator = this.enumerator;
    await this.calls.catch(() => undefined);
    if (enumerator?.close && !this.broken) await enumerator.close();
  }

  /**
   * Runs `call` after the previous calls settled. A failure is reported
   * (`failed`) and breaks the host; with `rethrow` the caller sees it too.
   */
  private enqueue<R>(method: string, call: (enumerator: SplitEnumerator<SourceSplit, unknown>) => R | Promise<R>, rethrow = false): Promise<R> {
    const result = this.calls.then(async () => {
      if (this.broken || this.closed) throw new Error(`${this.description}: the enumerator is ${this.broken ? 'broken' : 'closed'}`);
      const enumerator = this.enumerator;
      if (!enumerator && method !== 'start') throw new Error(`${this.description}: the enumerator has not started`);
      try {
        this.running(true);
        const pending = call(enumerator!);
        this.running(false);
        return await pending;
      } catch (err) {
        this.running(false);
        this.fail(`${this.description}: the split enumerator's ${method}() failed: ${errorMessage(err)}`);
        throw err;
      }
    });
    this.calls = result.catch(() => undefined);
    return rethrow ? result : result.catch(() => undefined as R);
  }

  private fail(reason: string): void {
    if (this.broken || this.closed) return;
    this.broken = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.sink.failed(reason);
  }

  private requireReader(subtask: number, what: string): { readonly attemptId: string } {
    if (!Number.isInteger(subtask) || subtask < 0 || subtask >= this.parallelism) {
      throw new Error(`${what}: subtask ${String(subtask)} does not exist (parallelism ${this.parallelism})`);
    }
    const reader = this.readers.get(subtask);
    if (!reader) throw new Error(`${what}: the reader of subtask ${subtask} is not registered`);
    return reader;
  }

  private context(): SplitEnumeratorContext<SourceSplit> {
    const assign = (subtask: number, splits: readonly SourceSplit[]): void => {
      const reader = this.requireReader(subtask, 'assignSplits');
      if (splits.length === 0) return;
      this.tracker.recordAssignment(subtask, splits);
      this.sink.toReader(subtask, reader.attemptId, { kind: 'add-splits', splits: [...splits] });
    };
    return {
      currentParallelism: () => this.parallelism,
      registeredReaders: () => new Map(this.readers),
      assignSplits: (assignment) => {
        for (const subtask of assignment.keys()) this.requireReader(subtask, 'assignSplits');
        for (const [subtask, splits] of assignment) assign(subtask, splits);
      },
      assignSplit: (split, subtask) => assign(subtask, [split]),
      signalNoMoreSplits: (subtask) => {
        this.sink.toReader(subtask, this.requireReader(subtask, 'signalNoMoreSplits').attemptId, { kind: 'no-more-splits' });
      },
      sendEventToSourceReader: (subtask, event) => {
        this.sink.toReader(subtask, this.requireReader(subtask, 'sendEventToSourceReader').attemptId, { kind: 'source-event', event });
      },
      callAsync: (callable, handler, initialDelayMs = 0, periodMs) => this.callAsync(callable, handler, initialDelayMs, periodMs),
    };
  }

  private callAsync<R>(callable: () => Promise<R>, handler: (result: R | undefined, error: Error | undefined) => void, initialDelayMs: number, periodMs: number | undefined): void {
    if (this.closed || this.broken) return;
    const run = (): void => {
      this.timers.delete(timer);
      if (this.closed || this.broken) return;
      void Promise.resolve()
        .then(callable)
        .then(
          (result) => ({ result, error: undefined }),
          (err: unknown) => ({ result: undefined, error: err instanceof Error ? err : new Error(String(err)) }),
        )
        .then(({ result, error }) => this.enqueue('callAsync handler', () => handler(result, error)))
        .then(() => {
          if (periodMs !== undefined && periodMs > 0 && !this.closed && !this.broken) {
            timer = setTimeout(run, periodMs);
            this.timers.add(timer);
          }
        });
    };
    let timer = setTimeout(run, Math.max(0, initialDelayMs));
    this.timers.add(timer);
  }
}
