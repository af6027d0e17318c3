import type { Source, SourceSplit, SplitEnumerator, SplitEnumeratorContext } from '@rivulet/api';
import { decodeReaderEvent, encodeOperatorEvent, type EnumeratorEvent } from '@rivulet/common/task-runtime';
import type { SourceEventChannel } from '../../../../src/slot/task/sources/create-source-operator.js';

/**
 * A source's split enumerator in the test's own thread, in place of the
 * JobManager's source coordinator: the SourceEventChannel of the source's
 * readers (events go straight across, encoded as on the wire). A reader's
 * events reach the enumerator once it is connected (`connect`).
 */
export class LocalSplitEnumerator implements SourceEventChannel {
  readonly location = 'localhost';
  private readonly readers = new Map<number, (event: Uint8Array) => void>();
  private readonly enumerator: SplitEnumerator<SourceSplit, unknown>;

  constructor(source: Source<unknown, SourceSplit, unknown>, parallelism: number, checkpoint?: unknown) {
    const deliver = (subtask: number, event: EnumeratorEvent): void => {
      const reader = this.readers.get(subtask);
      if (!reader) throw new Error(`the reader of subtask ${subtask} is not connected`);
      reader(encodeOperatorEvent(event));
    };
    const context: SplitEnumeratorContext<SourceSplit> = {
      currentParallelism: () => parallelism,
      registeredReaders: () => new Map([...this.readers.keys()].map((subtask) => [subtask, { subtaskId: subtask, location: this.location }])),
      assignSplits: (assignment) => {
        for (const [subtask, splits] of assignment) deliver(subtask, { kind: 'add-splits', splits: [...splits] });
      },
      assignSplit: (split, subtask) => deliver(subtask, { kind: 'add-splits', splits: [split] }),
      signalNoMoreSplits: (subtask) => deliver(subtask, { kind: 'no-more-splits' }),
      sendEventToSourceReader: (subtask, event) => deliver(subtask, { kind: 'source-event', event }),
      callAsync: () => {
        throw new Error('callAsync is not supported here');
      },
    };
    this.enumerator = checkpoint === undefined ? source.createEnumerator(context) : source.restoreEnumerator(context, checkpoint);
  }

  /** The reader of `subtask` takes the enumerator's events through `deliver` (its SourceOperator's handleOperatorEvent). */
  connect(subtask: number, deliver: (event: Uint8Array) => void): void {
    this.readers.set(subtask, deliver);
  }

  send(_operatorId: string, bytes: Uint8Array): void {
    const event = decodeReaderEvent(bytes);
    switch (event.kind) {
      case 'reader-registration':
        this.enumerator.addReader(event.subtask);
        return;
      case 'split-request':
        this.enumerator.handleSplitRequest(event.subtask, event.hostname);
        return;
      case 'source-event':
        this.enumerator.handleSourceEvent?.(event.subtask, event.event);
    }
  }
}
