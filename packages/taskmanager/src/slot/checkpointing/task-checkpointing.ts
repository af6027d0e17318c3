import type { SnapshotLocation, TaskDeploymentDescriptor } from '@rivulet/common';
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
  ): Promise<void>;
  decline(descriptor: TaskDeploymentDescriptor, checkpointId: number, reason: string): Promise<void>;
}
