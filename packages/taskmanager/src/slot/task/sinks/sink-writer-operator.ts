import type { Committer, ListState, Sink, SinkWriter, SinkWriterContext, WriterInitContext } from '@rivulet/api';
import { isOperatorListStateSnapshot, type OperatorListStateSnapshot, type TaskDeploymentDescriptor, type ChainedOperator } from '@rivulet/common/task-runtime';
import { OperatorListStateStore } from '../../state/operator-list-state-store.js';
import type { ChainMember, Output } from '../output.js';
import type { WatermarkSink } from '../event-time/watermark-sink.js';
import { CommittableQueue, CommitFailedError, type PendingCommittable } from './committable-queue.js';

/** The sink operator's list states (split lists: redistributed over the new subtasks on rescale, as Flink's). */
export const COMMITTABLES_STATE = 'sink-committables';
export const WRITER_STATE = 'sink-writer-state';

/** Checkpoint id of committables prepared at the end of a bounded input that no checkpoint took over. */
const END_OF_INPUT = Number.MAX_SAFE_INTEGER;
/** Commit rounds at the end of a bounded input while the committer asks for retries. */
const END_OF_INPUT_COMMIT_ATTEMPTS = 10;
const END_OF_INPUT_RETRY_DELAY_MS = 200;

export interface SinkWriterOperatorOptions {
  readonly sink: Sink<unknown, unknown, unknown>;
  readonly operatorId: string;
  /** Names the sink in errors and logs, e.g. `sink 'Orders' (operator 3) (1/2)`. */
  readonly description: string;
  readonly init: WriterInitContext;
  /** The operator's state in the restored checkpoint (this subtask's share). */
  readonly restored: OperatorListStateSnapshot | undefined;
  /** The event timestamp of the record being written (undefined when it has none). */
  readonly timestamp: () => number | undefined;
  /** The task's current watermark. */
  readonly watermark: () => number;
  /** The writer reads each record at once and neither mutates nor keeps it (Output.acceptsShared: built-in sinks). */
  readonly acceptsShared?: boolean;
}

/**
 * `stream.sinkTo(sink)` in a subtask (Flink's SinkWriterOperator and
 * CommitterOperator in one, as a chain member).
 *
 * Lifecycle, and its invariants:
 * - open: the committer is created; after a restore the restored
 *   committables (of every old subtask mapped to this one) are committed
 *   before the writer exists (`restoreWriter` with the restored writer
 *   states, else `createWriter`);
 * - records: `write` is called one record at a time; a write that returns a
 *   promise holds back the next (records wait in order) until it settles;
 *   each watermark that advances goes to `writeWatermark`, in order with them;
 * - barrier (snapshotState): writes settle, `flush(false)`, `prepareCommit`
 *   (committables tagged with the checkpoint id), `snapshotState`; the
 *   state holds every committable not yet committed and the writer state;
 * - notifyCheckpointComplete(n): the committables of checkpoints <= n are
 *   committed in checkpoint order; retries wait for the next notification;
 *   a failure fails the task (CommitFailedError names the sink);
 * - end of a bounded input (endInput): `flush(true)` and `prepareCommit`;
 *   the committables go with the next (final) checkpoint, and whatever is
 *   left is committed at finish — never at the end of a stop with
 *   savepoint, whose committables wait for its completion notification.
 */
export class SinkWriterOperator implements Output, ChainMember {
  readonly acceptsShared: boolean;
  private writer: SinkWriter<unknown, unknown, unknown> | undefined;
  private committer: Committer<unknown> | undefined;
  private readonly store: OperatorListStateStore;
  private readonly committablesState: ListState<PendingCommittable<unknown>>;
  private readonly writerState: ListState<unknown>;
  private readonly queue: CommittableQueue<unknown>;
  /** Records and watermarks waiting for an asynchronous write before them. */
  private backlog: BacklogEntry[] = [];
  /** The last watermark given to writeWatermark. */
  private lastWatermark = -Infinity;
  private writing: Promise<void> | undefined;
  private writeFailure: unknown;
  /** Committables prepared at the end of input, for the next checkpoint. */
  private endOfInputCommittables: unknown[] | undefined;
  private inputEnded = false;

  constructor(private readonly options: SinkWriterOperatorOptions) {
    this.acceptsShared = options.acceptsShared === true;
    this.store = new OperatorListStateStore(options.operatorId, options.restored);
    this.committablesState = this.store.getListState<PendingCommittable<unknown>>(COMMITTABLES_STATE);
    this.writerState = this.store.getListState<unknown>(WRITER_STATE);
    this.queue = new CommittableQueue(options.description, this.committablesState.get());
  }

  async open(): Promise<void> {
    const { sink, init, description } = this.options;
    if (sink.createCommitter !== undefined) {
      this.committer = await sink.createCommitter({ subtaskIndex: init.subtaskIndex, parallelism: init.parallelism, jobId: init.jobId });
      if (typeof this.committer?.commit !== 'function') throw new Error(`${description}: createCommitter returned no committer with a commit method`);
    }
    if (this.queue.size > 0) {
      if (this.committer === undefined) throw new Error(`${description}: the checkpoint holds committables but the sink has no createCommitter`);
      await this.queue.commitUpTo(END_OF_INPUT, this.committer);
    }
    const restored = init.restoredCheckpointId !== undefined && sink.restoreWriter !== undefined;
    this.writer = restored ? await sink.restoreWriter!(init, [...this.writerState.get()]) : await sink.createWriter(init);
    if (typeof this.writer?.write !== 'function' || typeof this.writer.flush !== 'function') {
      throw new Error(`${description}: ${restored ? 'restoreWriter' : 'createWriter'} returned no writer with write and flush methods`);
    }
  }

  collect(record: unknown): void {
    if (this.writeFailure !== undefined) return; // the task fails at the next drainPending
    const context: SinkWriterContext = { timestamp: this.options.timestamp(), currentWatermark: this.options.watermark() };
    if (this.writing !== undefined) {
      this.backlog.push({ record, context });
      return;
    }
    const result = this.writer!.write(record, context);
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') this.writing = this.writeBacklogAfter(result);
  }

  /**
   * Where the chain's watermarks pass this sink: each one that advances goes
   * to the writer's `writeWatermark` (in order with the records), then on to `next`.
   */
  watermarksThrough(next: WatermarkSink): WatermarkSink {
    return {
      processWatermark: (timestamp) => {
        this.writeWatermark(timestamp);
        next.processWatermark(timestamp);
      },
      processWatermarkStatus: (idle) => next.processWatermarkStatus(idle),
    };
  }

  drainPending(): Promise<void> | undefined {
    if (this.writing === undefined) return this.writeFailure === undefined ? undefined : Promise.reject(this.writeFailure);
    return this.writing.then(() => {
      if (this.writeFailure !== undefined) throw this.writeFailure;
    });
  }

  async snapshotState(checkpointId: number): Promise<OperatorListStateSnapshot | null> {
    await this.drainPending();
    const writer = this.writer!;
    let committables: unknown[];
    if (this.inputEnded) {
      committables = this.endOfInputCommittables ?? [];
      this.endOfInputCommittables = undefined;
    } else {
      await writer.flush(false);
      committables = await this.prepareCommit();
    }
    this.queue.add(checkpointId, committables);
    this.committablesState.update(this.queue.snapshot());
    this.writerState.update((await writer.snapshotState?.(checkpointId)) ?? []);
    return this.store.snapshot();
  }

  async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    if (this.committer !== undefined && this.queue.size > 0) await this.queue.commitUpTo(checkpointId, this.committer);
  }

  /** Every input ended with the end of data (a bounded input; not a stop with savepoint). */
  async endInput(): Promise<void> {
    if (this.inputEnded) return;
    await this.drainPending();
    await this.writer!.flush(true);
    this.endOfInputCommittables = await this.prepareCommit();
    this.inputEnded = true;
  }

  /**
   * The task ends. After the end of a bounded input, what is still pending is
   * committed (with no checkpointing, everything the writer prepared; with
   * it, what a retry kept back). After a stop with savepoint, nothing: its
   * committables were committed on its completion, or wait in it.
   */
  async finish(): Promise<void> {
    await this.drainPending();
    if (!this.inputEnded) return;
    if (this.endOfInputCommittables !== undefined) this.queue.add(END_OF_INPUT, this.endOfInputCommittables);
    this.endOfInputCommittables = undefined;
    if (this.committer === undefined) return;
    for (let attempt = 1; this.queue.size > 0; attempt++) {
      const round = await this.queue.commitUpTo(END_OF_INPUT, this.committer);
      if (round.retrying === 0) break;
      if (attempt === END_OF_INPUT_COMMIT_ATTEMPTS) {
        throw new CommitFailedError(`${this.options.description}: ${round.retrying} committable(s) still asked for a retry after ${attempt} commits at the end of input`);
      }
      await new Promise((resolve) => setTimeout(resolve, END_OF_INPUT_RETRY_DELAY_MS));
    }
  }

  async close(): Promise<void> {
    try {
      await this.writer?.close();
    } finally {
      await this.committer?.close?.();
    }
  }

  private async prepareCommit(): Promise<unknown[]> {
    const committables = (await this.writer!.prepareCommit?.()) ?? [];
    if (!Array.isArray(committables)) throw new Error(`${this.options.description}: prepareCommit returned ${typeof committables}, not an array of committables`);
    if (committables.length > 0 && this.committer === undefined) {
      throw new Error(`${this.options.description}: prepareCommit returned committables but the sink has no createCommitter`);
    }
    return committables;
  }

  private writeWatermark(timestamp: number): void {
    const writer = this.writer;
    if (writer?.writeWatermark === undefined || !(timestamp > this.lastWatermark) || this.writeFailure !== undefined) return;
    this.lastWatermark = timestamp;
    if (this.writing !== undefined) {
      this.backlog.push({ watermark: timestamp });
      return;
    }
    const result = writer.writeWatermark(timestamp);
    if (result !== undefined && typeof (result as Promise<void>).then === 'function') this.writing = this.writeBacklogAfter(result);
  }

  /** Awaits `first`, then writes the backlog one entry at a time; a failure stops writing and is reported by drainPending. */
  private async writeBacklogAfter(first: Promise<void>): Promise<void> {
    try {
      await first;
      for (let next = this.backlog.shift(); next !== undefined; next = this.backlog.shift()) {
        if ('watermark' in next) await this.writer!.writeWatermark?.(next.watermark);
        else await this.writer!.write(next.record, next.context);
      }
    } catch (err) {
      this.writeFailure ??= new Error(`${this.options.description}: write failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      this.backlog = [];
    } finally {
      this.writing = undefined;
    }
  }
}

/** A record or a watermark waiting for the writer. */
type BacklogEntry = { readonly record: unknown; readonly context: SinkWriterContext } | { readonly watermark: number };

/** The sink operator of `sinkTo(sink)` for operator `operator` of this subtask. */
export function createSinkWriterOperator(
  sink: Sink<unknown, unknown, unknown>,
  operator: ChainedOperator,
  descriptor: TaskDeploymentDescriptor,
  restored: unknown,
  timestamp: () => number | undefined,
  watermark: () => number,
  acceptsShared = false,
): SinkWriterOperator {
  const { subtaskIndex, parallelism, jobId, attempt } = descriptor;
  return new SinkWriterOperator({
    sink,
    operatorId: operator.id,
    description: `sink '${operator.name}' (operator ${operator.id}) (${subtaskIndex + 1}/${parallelism})`,
    init: { subtaskIndex, parallelism, attemptNumber: attempt, restoredCheckpointId: descriptor.restore?.checkpointId, jobId },
    restored: isOperatorListStateSnapshot(restored) ? restored : undefined,
    timestamp,
    watermark,
    acceptsShared,
  });
}
