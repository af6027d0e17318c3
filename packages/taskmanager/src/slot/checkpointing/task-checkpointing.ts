import type { SnapshotLocation, SubtaskCheckpointMetrics, TaskDeploymentDescriptor } from '@rivulet/common/task-runtime';
import type { KeyGroupSnapshot } from '../state/index.js';
import type { BarrierInfo } from './barrier-aligner.js';

/** What one operator of a subtask contributes to a checkpoint, taken at the barrier. */
export interface OperatorSnapshotParts {
  readonly operatorId: string;
  /** Keyed state of the groups that hold any, serialized by the persister group by group. */
  readonly keyedState?: KeyGroupSnapshot;
  /** Timers of the groups that have any, likewise. */
  readonly timers?: KeyGroupSnapshot;
  /** Operator (non-keyed) state, a JSON value: source splits, pending sink files. */
  readonly operatorState?: unknown;
  /**
   * Unaligned checkpoints, on the chain's head operator: the encoded
   * in-flight records (channel-state-file.ts), known once every input
   * channel delivered the barrier; `dataBytes`: the records' bytes (Flink's
   * persisted data). Rejects when the checkpoint was given up.
   */
  readonly channelState?: Promise<{ readonly bytes: Buffer; readonly dataBytes: number }>;
}

/**
 * The asynchronous half of a task's checkpoint: upload the parts taken at
 * the barrier and acknowledge to the JobManager, or decline with the reason.
 * Resolves in every case (a failed upload declines; it never fails the task).
 */
export interface TaskCheckpointing {
  /** `endOfData`: the task's data had ended when it took the snapshot (the acknowledgement says so). */
  persist(
    descriptor: TaskDeploymentDescriptor,
    barrier: BarrierInfo,
    parts: readonly OperatorSnapshotParts[],
    location: SnapshotLocation | undefined,
    endOfData?: boolean,
    metrics?: SubtaskCheckpointMetrics,
  ): Promise<void>;
  /** `taskClosing`: the task ended its input and is finishing (the JobManager does not count it as a failure). */
  decline(descriptor: TaskDeploymentDescriptor, checkpointId: number, reason: string, taskClosing?: boolean): Promise<void>;
}

/** Where a task's checkpoint outcome goes: the JobManager (AcknowledgeCheckpoint / DeclineCheckpoint). Never rejects. */
export interface CheckpointResponder {
  acknowledge(descriptor: TaskDeploymentDescriptor, checkpointId: number, stateHandles: Uint8Array, endOfData: boolean, metrics: SubtaskCheckpointMetrics): Promise<void>;
  decline(descriptor: TaskDeploymentDescriptor, checkpointId: number, reason: string, taskClosing?: boolean): Promise<void>;
}

/** One state file of a checkpoint, as written by a subtask of this TaskManager (local recovery). */
export interface LocalStateFile {
  readonly jobId: string;
  readonly checkpointId: number;
  readonly operatorId: string;
  readonly subtaskIndex: number;
  readonly fileIndex: number;
}

/** What a local read found: the bytes, nothing indexed, or an indexed copy that could not serve them. */
export type LocalRead =
  | { readonly kind: 'hit'; readonly bytes: Buffer }
  | { readonly kind: 'miss' }
  | { readonly kind: 'unreadable'; readonly file: string; readonly reason: string };

/** The TaskManager's local copies of checkpoint files (local recovery), as tasks use them. */
export interface LocalStateAccess {
  /** Keeps a copy of a state file once `location` (where it was written in checkpoint storage) is known; never fails the checkpoint. */
  keep(file: LocalStateFile, bytes: Uint8Array, location: Promise<string>): void;
  read(checkpointId: number, location: string, offset: number, length: number): Promise<LocalRead>;
}
