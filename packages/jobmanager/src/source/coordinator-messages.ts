/**
 * The protocol between a JobMaster (main thread) and its job's source
 * coordinator (source-coordinator-runtime.ts), over the worker's MessagePort
 * — or a MessageChannel on the main thread, for a job whose sources are all
 * built-in (InProcessCoordinator). The coordinator thread is the only place
 * on the JobManager where a job's code runs: it imports the job bundle (for
 * fromSource operators) and hosts the split enumerator of every source
 * operator. Events between readers and enumerators cross it encoded
 * (operator-events.ts); enumerator checkpoints leave it encoded.
 */

/** One source operator whose enumerator the thread hosts. */
export interface CoordinatedSource {
  readonly operatorId: string;
  readonly name: string;
  readonly parallelism: number;
  /** A built-in source (fromSequence, fromElements, readTextFile): the runtime builds its Source from these; absent for a fromSource operator. */
  readonly builtin?: { readonly variant: string; readonly params: Readonly<Record<string, unknown>> };
  /**
   * The enumerator's encoded checkpoint to restore from (restoreEnumerator);
   * null: the snapshot restored from has the operator's state but no
   * enumerator checkpoint (written before its source had one); absent:
   * createEnumerator.
   */
  readonly restoredState?: Uint8Array | null;
}

/** What the thread is started with (`workerData`). */
export interface CoordinatorThreadData {
  readonly jobId: string;
  /** The job bundle, for the Source objects of fromSource operators; undefined when the job has none (built-in sources need no bundle). */
  readonly bundlePath: string | undefined;
  /** What the job's build function is compiled with (as on the TaskManagers). */
  readonly compile: {
    readonly defaultParallelism: number;
    readonly maxParallelism: number;
    readonly args: readonly string[];
    readonly defaultJobName: string;
  };
  readonly sources: readonly CoordinatedSource[];
  /** Int32Array[1]: 1 + the index (in `sources`) of the source whose enumerator code runs now, 0 when none (read when the thread is stuck). */
  readonly running: SharedArrayBuffer;
}

/** JobMaster -> coordinator thread. */
export type ToCoordinator =
  /** From execution attempt `attemptId` (events to its reader go to that attempt only). */
  | { readonly kind: 'reader-event'; readonly operatorId: string; readonly attemptId: string; readonly event: Uint8Array }
  /** `subtask` restarts from checkpoint `restoredFrom` (undefined: none): its uncovered splits go back, its reader is unregistered. */
  | { readonly kind: 'subtask-reset'; readonly operatorId: string; readonly subtask: number; readonly restoredFrom: number | undefined }
  /** A new leader adopted the running attempt `attemptId` of `subtask`: its reader counts as registered now (addReader). */
  | { readonly kind: 'reader-adopted'; readonly operatorId: string; readonly subtask: number; readonly attemptId: string; readonly location: string }
  | { readonly kind: 'snapshot'; readonly checkpointId: number }
  | { readonly kind: 'checkpoint-complete'; readonly checkpointId: number }
  | { readonly kind: 'ping'; readonly sequence: number }
  | { readonly kind: 'close' };

/** Coordinator thread -> JobMaster. */
export type FromCoordinator =
  | { readonly kind: 'started' }
  | { readonly kind: 'to-reader'; readonly operatorId: string; readonly subtask: number; readonly attemptId: string; readonly event: Uint8Array }
  /** The enumerators' states for checkpoint `checkpointId`, by operator id; or why they could not be taken. */
  | { readonly kind: 'snapshot-done'; readonly checkpointId: number; readonly states: Readonly<Record<string, Uint8Array>> }
  | { readonly kind: 'snapshot-failed'; readonly checkpointId: number; readonly reason: string }
  | { readonly kind: 'pong'; readonly sequence: number }
  /** An enumerator failed: the job fails over (globally). `operatorId` names the source. */
  | { readonly kind: 'failed'; readonly operatorId: string | undefined; readonly reason: string }
  | { readonly kind: 'closed' };
