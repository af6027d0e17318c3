import type { InputStatus, Source, SourceReader as ApiSourceReader, SourceReaderContext, SourceSplit } from '@rivulet/api';
import { decodeEnumeratorEvent, encodeOperatorEvent, errorMessage, type ReaderEvent } from '@rivulet/common/task-runtime';
import type { Output } from '../output.js';
import type { SourceReaderOutputs } from './source-reader-output.js';
import type { EmitResult, SourceReader } from './source-reader.js';

/** Where a source operator's events go, and where it runs. */
export interface SourceOperatorContext {
  readonly operatorId: string;
  /** The source's name (as given to fromSource, or a built-in source's). */
  readonly name: string;
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** The host of this TaskManager (SourceReaderContext.location). */
  readonly location: string;
  /** Sends an encoded ReaderEvent to the enumerator (ordered). */
  readonly sendEvent: (event: Uint8Array) => void;
}

/**
 * The reader side of a Source API source in a subtask (Flink's
 * SourceOperator): creates the reader, gives it the splits restored from a
 * checkpoint (`addSplits`), registers it with the enumerator and starts it;
 * then the task calls `emit`, which polls the reader (pollNext) for about
 * `max` records. The reader's splits (snapshotState) are the operator's
 * list state, redistributed over the subtasks on a restore at another
 * parallelism.
 *
 * Every failure of the reader's code fails the task with an error naming
 * the source and the method — unless the reader is the runtime's own (a
 * built-in source, `readerIsUserCode` false): what its pollNext throws then
 * comes from the operators chained after it, and fails the task as thrown.
 */
export class SourceOperator implements SourceReader {
  private reader: ApiSourceReader<unknown, SourceSplit> | undefined;
  private readonly inbox: Uint8Array[] = [];
  private received = 0;
  private applied = 0;
  private readonly description: string;

  constructor(
    private readonly source: Source<unknown, SourceSplit, unknown>,
    private readonly outputs: SourceReaderOutputs,
    private readonly context: SourceOperatorContext,
    private readonly restoredSplits: readonly SourceSplit[],
    private readonly readerIsUserCode = true,
  ) {
    this.description = `source '${context.name}' (${context.operatorId}, subtask ${context.subtaskIndex + 1}/${context.parallelism})`;
  }

  async open(): Promise<void> {
    const { subtaskIndex, parallelism, location } = this.context;
    const readerContext: SourceReaderContext = {
      subtaskIndex,
      parallelism,
      location,
      sendSplitRequest: () => this.send({ kind: 'split-request', subtask: subtaskIndex, hostname: location }),
      sendSourceEventToCoordinator: (event) => this.send({ kind: 'source-event', subtask: subtaskIndex, event }),
    };
    const reader = this.call('createReader', () => this.source.createReader(readerContext));
    if (typeof reader?.pollNext !== 'function') throw new Error(`${this.description}: createReader() did not return a SourceReader`);
    this.reader = reader;
    if (this.restoredSplits.length > 0) this.call('addSplits', () => reader.addSplits([...this.restoredSplits]));
    // Registered before it starts (as Flink's SourceOperator): a reader may ask for splits in start().
    this.send({ kind: 'reader-registration', subtask: subtaskIndex, location });
    await this.callAsync('start', () => reader.start());
  }

  get receivedEvents(): number {
    return this.received;
  }

  get pendingEvents(): number {
    return this.inbox.length;
  }

  handleOperatorEvent(event: Uint8Array): void {
    this.inbox.push(event);
    this.received++;
  }

  applyEvents(upTo: number): void {
    const reader = this.reader;
    if (!reader) return;
    while (this.applied < upTo && this.inbox.length > 0) {
      const event = decodeEnumeratorEvent(this.inbox.shift()!);
      this.applied++;
      switch (event.kind) {
        case 'add-splits':
          this.call('addSplits', () => reader.addSplits(event.splits as SourceSplit[]));
          break;
        case 'no-more-splits':
          this.call('notifyNoMoreSplits', () => reader.notifyNoMoreSplits());
          break;
        case 'source-event':
          this.call('handleSourceEvents', () => reader.handleSourceEvents?.(event.event));
          break;
      }
    }
  }

  emit(_out: Output, max: number): EmitResult | Promise<EmitResult> {
    const reader = this.reader!;
    const outputs = this.outputs;
    outputs.count = 0;
    outputs.budget = max;
    try {
      for (let polls = 0; polls < max; polls++) {
        const status = reader.pollNext(outputs);
        if (typeof status !== 'string') return this.afterAsyncPoll(status);
        if (status !== 'MORE_AVAILABLE') return this.resultOf(status);
        if (outputs.count >= max) return true;
      }
      return true;
    } catch (err) {
      throw this.failure('pollNext', err);
    }
  }

  whenAvailable(): Promise<void> {
    return this.callAsync('isAvailable', () => this.reader!.isAvailable());
  }

  async snapshotSplits(checkpointId: number): Promise<unknown[]> {
    const splits = await this.callAsync('snapshotState', () => this.reader!.snapshotState(checkpointId));
    if (!Array.isArray(splits)) throw new Error(`${this.description}: snapshotState() returned ${typeof splits}, not an array of splits`);
    return splits;
  }

  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    const reader = this.reader;
    if (reader?.notifyCheckpointComplete) await this.callAsync('notifyCheckpointComplete', () => reader.notifyCheckpointComplete!(checkpointId));
  }

  async close(): Promise<void> {
    const reader = this.reader;
    if (reader) await this.callAsync('close', () => reader.close());
  }

  private async afterAsyncPoll(status: Promise<InputStatus>): Promise<EmitResult> {
    try {
      return this.resultOf(await status);
    } catch (err) {
      throw this.failure('pollNext', err);
    }
  }

  private resultOf(status: InputStatus): EmitResult {
    switch (status) {
      case 'MORE_AVAILABLE':
        return true;
      case 'NOTHING_AVAILABLE':
        return 'wait';
      case 'END_OF_INPUT':
        return false;
      default:
        throw new Error(`${this.description}: pollNext() returned ${JSON.stringify(status)}; expected 'MORE_AVAILABLE', 'NOTHING_AVAILABLE' or 'END_OF_INPUT'`);
    }
  }

  private send(event: ReaderEvent): void {
    this.context.sendEvent(encodeOperatorEvent(event));
  }

  private call<R>(method: string, fn: () => R): R {
    try {
      return fn();
    } catch (err) {
      throw this.failure(method, err);
    }
  }

  private async callAsync<R>(method: string, fn: () => R | Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (err) {
      throw this.failure(method, err);
    }
  }

  private failure(method: string, err: unknown): unknown {
    if (!this.readerIsUserCode) return err;
    if (err instanceof Error && err.message.startsWith(this.description)) return err;
    return new Error(`${this.description}: the reader's ${method}() failed: ${errorMessage(err)}`, { cause: err });
  }
}
