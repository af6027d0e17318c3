/**
 * The Source API (the shape of Flink's FLIP-27 `Source`): a source is split
 * into units of work (splits: a file range, a partition of a log, a range of
 * numbers). A split enumerator, one per source and job, runs on the
 * JobManager: it discovers splits and assigns them to the source readers,
 * one per parallel subtask, which run on TaskManagers and read the records
 * of the splits they were given.
 *
 * Everything the runtime stores or sends — splits, enumerator checkpoints,
 * source events — must be plain data (objects, arrays, strings, numbers,
 * booleans, null, Uint8Array, Date, Map, Set, bigint): the runtime
 * serializes it with msgpack into checkpoints, savepoints and RPCs. Give a
 * split's shape a version field of your own if it may change between releases
 * of a job.
 *
 * Contracts:
 * - an enumerator's and a reader's methods are never called concurrently with
 *   each other (each runs on one event loop); a method that returns a promise
 *   is awaited before the next call;
 * - `snapshotState` of the enumerator is taken when a checkpoint is
 *   triggered, before any reader snapshots; a split is in exactly one place
 *   in a checkpoint: unassigned in the enumerator's state, or in the state of
 *   the reader it was assigned to (with the reader's position in it);
 * - after a failure, the splits assigned to a reader since the checkpoint it
 *   restores from are given back to the enumerator (`addSplitsBack`), which
 *   must assign them again (to any reader);
 * - on a restore at another parallelism, the readers' splits are
 *   redistributed over the new readers (round-robin, as Flink's operator
 *   list state), and the enumerator is restored from its checkpoint.
 */

/** A unit of work of a source; `splitId` is unique within the source and stable across restores. */
export interface SourceSplit {
  readonly splitId: string;
}

/** Whether a source ends (BOUNDED) or runs until cancelled (CONTINUOUS_UNBOUNDED). */
export type Boundedness = 'BOUNDED' | 'CONTINUOUS_UNBOUNDED';

/**
 * What a source is: a factory of its enumerator and readers. The object is
 * created in the job module (`env.fromSource(new MySource(...), ...)`) and
 * recreated from the job bundle wherever an enumerator or reader runs, so
 * its constructor must be deterministic and free of side effects.
 */
export interface Source<T, Split extends SourceSplit, EnumState> {
  getBoundedness(): Boundedness;
  createEnumerator(context: SplitEnumeratorContext<Split>): SplitEnumerator<Split, EnumState>;
  restoreEnumerator(context: SplitEnumeratorContext<Split>, checkpoint: EnumState): SplitEnumerator<Split, EnumState>;
  createReader(context: SourceReaderContext): SourceReader<T, Split>;
}

/** A reader the enumerator knows of (registered after it started). */
export interface ReaderInfo {
  readonly subtaskId: number;
  /** The host of the TaskManager the reader runs on. */
  readonly location: string;
}

/** What the runtime offers an enumerator (Flink's SplitEnumeratorContext). */
export interface SplitEnumeratorContext<Split extends SourceSplit> {
  /** The parallelism of the source (its number of readers). */
  currentParallelism(): number;
  /** The readers registered now, by subtask. */
  registeredReaders(): ReadonlyMap<number, ReaderInfo>;
  /** Assigns splits to registered readers (subtask -> splits). */
  assignSplits(assignment: ReadonlyMap<number, readonly Split[]>): void;
  assignSplit(split: Split, subtask: number): void;
  /** Tells a reader it will get no more splits: a bounded reader ends once it has read its splits. */
  signalNoMoreSplits(subtask: number): void;
  sendEventToSourceReader(subtask: number, event: unknown): void;
  /**
   * Runs `callable` (e.g. split discovery against an external system) and then
   * `handler` with its result or error, on the enumerator's event loop;
   * with `periodMs`, again every period until the enumerator closes.
   * An error thrown by `handler` fails the job (a global failover).
   */
  callAsync<R>(callable: () => Promise<R>, handler: (result: R | undefined, error: Error | undefined) => void, initialDelayMs?: number, periodMs?: number): void;
}

/** Discovers and assigns the splits of one source (Flink's SplitEnumerator). */
export interface SplitEnumerator<Split extends SourceSplit, EnumState> {
  start(): void | Promise<void>;
  /** A reader asked for a split (it called `sendSplitRequest`). */
  handleSplitRequest(subtask: number, requesterHostname: string | undefined): void;
  /** Splits given back after the reader of `subtask` failed: they were assigned after the last completed checkpoint. */
  addSplitsBack(splits: Split[], subtask: number): void;
  /** A reader registered (at its start, and again after each restart of its subtask). */
  addReader(subtask: number): void;
  /** The enumerator's state for checkpoint `checkpointId` (unassigned splits, discovery progress). */
  snapshotState(checkpointId: number): EnumState | Promise<EnumState>;
  notifyCheckpointComplete?(checkpointId: number): void;
  handleSourceEvent?(subtask: number, event: unknown): void;
  close?(): void | Promise<void>;
}

/** What `pollNext` says about the reader after it returns. */
export type InputStatus =
  /** Call pollNext again at once. */
  | 'MORE_AVAILABLE'
  /** Nothing to read now: the runtime waits for `isAvailable()` before calling pollNext again. */
  | 'NOTHING_AVAILABLE'
  /** The reader has read everything it will ever read (bounded sources, after notifyNoMoreSplits). */
  | 'END_OF_INPUT';

/**
 * Where a reader puts its records (Flink's ReaderOutput). Records emitted
 * through a split's own output (`createOutputForSplit`) get watermarks per
 * split: the source's watermark is the minimum over its active splits'
 * watermarks, each generated by the source's WatermarkStrategy.
 */
export interface ReaderOutput<T> {
  /** Emits a record; `timestamp` is its event time in ms (else the strategy's timestamp assigner gives it one, or none). */
  collect(record: T, timestamp?: number): void;
  /** A watermark from the reader itself (for sources whose strategy is `noWatermarks()` and that know their progress). */
  emitWatermark(watermark: number): void;
  markIdle(): void;
  markActive(): void;
  /** The output of one split, with watermarks of its own; create it when the split is added. */
  createOutputForSplit(splitId: string): ReaderOutput<T>;
  /** The split is finished: its watermark no longer holds the source's back. */
  releaseOutputForSplit(splitId: string): void;
}

/** What the runtime offers a reader (Flink's SourceReaderContext). */
export interface SourceReaderContext {
  readonly subtaskIndex: number;
  readonly parallelism: number;
  /** The host of this reader's TaskManager. */
  readonly location: string;
  /** Asks the enumerator for a split (handleSplitRequest). */
  sendSplitRequest(): void;
  sendSourceEventToCoordinator(event: unknown): void;
}

/** Reads the records of the splits assigned to one subtask (Flink's SourceReader). */
export interface SourceReader<T, Split extends SourceSplit> {
  start(): void | Promise<void>;
  /**
   * Emits what is available now into `output` — a bounded amount: the task
   * checks for barriers, timers and cancellation between two calls — and
   * says whether more is (MORE_AVAILABLE), nothing is (NOTHING_AVAILABLE:
   * the runtime then awaits `isAvailable()`) or the reader ended.
   */
  pollNext(output: ReaderOutput<T>): InputStatus | Promise<InputStatus>;
  /** Resolves when pollNext has something to emit (or the reader may end). */
  isAvailable(): Promise<void>;
  /** New splits from the enumerator, or restored ones at the start. */
  addSplits(splits: Split[]): void;
  /** The enumerator will send no more splits. */
  notifyNoMoreSplits(): void;
  /** The reader's unfinished splits, each with its position, for checkpoint `checkpointId`. */
  snapshotState(checkpointId: number): Split[] | Promise<Split[]>;
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  handleSourceEvents?(event: unknown): void;
  close(): void | Promise<void>;
}
