import type { JobGraph } from '@rivulet/api';
import { planRestore, type CheckpointMetadata, type RestorePlan, type SnapshotLocation, type TaskRestore } from '@rivulet/common';
import type { CompletedCheckpoint } from '../checkpoint/index.js';
import type { Execution } from '../executiongraph/execution-graph.js';

/** A snapshot a job (or some of its subtasks) starts from, planned for the job's current parallelism. */
export interface JobRestore {
  readonly plan: RestorePlan;
  readonly metadata: CheckpointMetadata;
  readonly location: SnapshotLocation;
  /** The storage root URI TaskManagers open (the checkpoint storage, or the savepoint folder). */
  readonly uri: string;
}

/**
 * What a failover restores from: the job's latest completed checkpoint (which
 * is the snapshot the job started from until it completes one of its own),
 * planned for `graph`'s parallelism. Undefined when there is none: the
 * restarted subtasks start empty and their sources from the beginning.
 */
export function failoverRestoreOf(
  checkpoint: CompletedCheckpoint | undefined,
  graph: JobGraph,
  checkpointRoot: string,
  parallelismOf: (operatorId: string) => number,
): JobRestore | undefined {
  if (checkpoint === undefined) return undefined;
  const operators = graph.operators.map((op) => ({ operatorId: op.id, parallelism: parallelismOf(op.id), keyed: op.keyed }));
  // The checkpoint was taken by this job, or validated when the job was submitted from it.
  const plan = planRestore(checkpoint.metadata, { operators, maxParallelism: graph.maxParallelism, allowNonRestoredState: true });
  return { plan, metadata: checkpoint.metadata, location: checkpoint.location, uri: checkpoint.location.root ?? checkpointRoot };
}

/**
 * What one subtask restores: for every operator of its chain with state in
 * the snapshot, the key-group handles it now owns and the operator state of
 * the old subtasks mapped to it (old subtask k -> new subtask k mod p).
 */
export function taskRestoreOf(restore: JobRestore, execution: Execution): TaskRestore {
  const operators = execution.vertex.operatorIds.flatMap((operatorId) => {
    const plan = restore.plan.operators.get(operatorId);
    const subtask = plan?.subtasks[execution.subtaskIndex];
    if (!plan || !subtask) return [];
    return [{
      operatorId,
      keyedState: subtask.keyedState,
      timers: subtask.timers,
      operatorStates: subtask.operatorState
        .filter((previous) => previous.subtaskIndex % plan.parallelism === execution.subtaskIndex)
        .map((previous) => previous.state),
      ...(subtask.channelState ? { channelState: subtask.channelState } : {}),
    }];
  });
  return { checkpointId: restore.plan.checkpointId, storageUri: restore.uri, folder: restore.location.folder, operators };
}
