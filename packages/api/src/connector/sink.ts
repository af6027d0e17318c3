/**
 * The Sink API (the shape of Flink's Sink V2): a writer per parallel
 * subtask receives the records; a sink that commits in two phases also has
 * a committer. At each checkpoint barrier the writer is flushed and hands
 * over its committables (`prepareCommit`: e.g. a closed file, an upload or
 * a transaction that is complete but not yet visible); they are stored in
 * the checkpoint, and the committer makes them visible once the checkpoint
 * has completed — and again after a restore from that checkpoint, so a
 * commit must be idempotent (committing what is already committed succeeds).
 *
 * Committables, writer states and everything else the runtime stores must be
 * plain data (see source.ts).
 *
 * Contracts:
 * - a committable is committed only after the checkpoint that holds it
 *   completed (or at the end of a bounded input, after the final checkpoint
 *   completed); a stop-with-savepoint commits nothing before its savepoint
 *   completed, and nothing at all if it failed;
 * - after a restore, the committables of the restored checkpoint are
 *   committed again before the writer gets a record;
 * - `write` of one record completes (its promise settles) before the next
 *   `write`, and before `flush`/`prepareCommit`/`snapshotState`.
 */

/** Flink's DeliveryGuarantee: what a sink that offers a choice guarantees. */
export type DeliveryGuarantee = 'EXACTLY_ONCE' | 'AT_LEAST_ONCE' | 'NONE';

/** Given to `write` with each record. */
export interface SinkWriterContext {
  /** The record's event time in ms, undefined when it has none. */
  readonly timestamp: number | undefined;
  /** The operator's current watermark (-Infinity before the first one). */
  readonly currentWatermark: number;
}

/** What a writer is created with. */
export interface WriterInitContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** Increases with every restart of the job's tasks (0 at the first run): a writer can name what it writes after it. */
  readonly attemptNumber: number;
  /** The checkpoint the writer was restored from, undefined at a fresh start. */
  readonly restoredCheckpointId: number | undefined;
  /** The job's id, e.g. to name transactions or message ids uniquely per job. */
  readonly jobId: string;
}

/** One subtask's writer (Flink's SinkWriter / CommittingSinkWriter / StatefulSinkWriter). */
export interface SinkWriter<T, CommT = never, WriterStateT = never> {
  write(element: T, context: SinkWriterContext): void | Promise<void>;
  /**
   * Called before every checkpoint barrier is passed on and at the end of
   * input (`endOfInput` true): everything written so far must be durable
   * (at-least-once), or ready to be handed over by prepareCommit.
   */
  flush(endOfInput: boolean): void | Promise<void>;
  /** Two-phase commit: after `flush`, what the committer should commit once this checkpoint completes. */
  prepareCommit?(): CommT[] | Promise<CommT[]>;
  /** State the writer needs after a restore (e.g. an open file to resume); kept in the checkpoint. */
  snapshotState?(checkpointId: number): WriterStateT[] | Promise<WriterStateT[]>;
  writeWatermark?(watermark: number): void | Promise<void>;
  close(): void | Promise<void>;
}

/** One committable to commit, and how to report its outcome (Flink's CommitRequest). */
export interface CommitRequest<CommT> {
  readonly committable: CommT;
  /** How many times this committable was retried (0 at the first attempt). */
  readonly numberOfRetries: number;
  /** Permanent failure the sink understands (e.g. the transaction expired): the job fails with it. */
  signalFailedWithKnownReason(error: Error): void;
  signalFailedWithUnknownReason(error: Error): void;
  /** Try again later (with the next checkpoint's commit). */
  retryLater(): void;
  updateAndRetryLater(committable: CommT): void;
  /** It was committed before (an idempotent commit found it done). */
  signalAlreadyCommitted(): void;
}

/** Makes committables visible (Flink's Committer). A request it neither fails nor retries counts as committed. */
export interface Committer<CommT> {
  commit(requests: readonly CommitRequest<CommT>[]): Promise<void>;
  close?(): void | Promise<void>;
}

/** What a committer is created with. */
export interface CommitterInitContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  readonly jobId: string;
}

/**
 * A sink (`stream.sinkTo(sink)`). Without `createCommitter` it is a plain
 * writer (at-least-once when `flush` makes writes durable, or none); with
 * it, a two-phase-commit sink (exactly-once).
 */
export interface Sink<T, CommT = never, WriterStateT = never> {
  createWriter(context: WriterInitContext): SinkWriter<T, CommT, WriterStateT> | Promise<SinkWriter<T, CommT, WriterStateT>>;
  /** A writer restored with the states of the subtasks it takes over (several after a rescale down). */
  restoreWriter?(context: WriterInitContext, recoveredState: WriterStateT[]): SinkWriter<T, CommT, WriterStateT> | Promise<SinkWriter<T, CommT, WriterStateT>>;
  createCommitter?(context: CommitterInitContext): Committer<CommT> | Promise<Committer<CommT>>;
}
