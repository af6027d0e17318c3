import { isOperatorListStateSnapshot, mergeOperatorListStates, type TaskRestore } from '@rivulet/common/task-runtime';

/** A subtask's restored non-keyed state: in the deployment itself, no storage read. */
export interface RestoredOperatorState {
  /** Source splits: the unread splits of the old subtasks mapped to this one. */
  readonly sourceSplits: ReadonlyMap<string, unknown[]>;
  /** Non-keyed operator state, merged over the old subtasks mapped to this one. */
  readonly operatorStates: ReadonlyMap<string, unknown>;
}

/**
 * The source splits and operator list state `restore` maps to this subtask.
 * Throws on operator state of a format this TaskManager does not know.
 */
export function restoredOperatorState(restore: TaskRestore): RestoredOperatorState {
  const sourceSplits = new Map<string, unknown[]>();
  const operatorStates = new Map<string, unknown>();
  for (const operator of restore.operators) {
    const states = operator.operatorStates.filter((state) => state !== null && state !== undefined);
    // Source state is a list of splits. A restored source mapped no old
    // subtask (a rescale up) reads nothing: an empty list, not its initial split.
    // User functions' and sinks' operator list state: the JobManager planned this subtask's share (one state).
    if (states.some(isOperatorListStateSnapshot)) operatorStates.set(operator.operatorId, mergeOperatorListStates(states.filter(isOperatorListStateSnapshot)));
    else if (states.every(Array.isArray)) sourceSplits.set(operator.operatorId, (states as unknown[][]).flat());
    else throw new Error(`operator "${operator.operatorId}": its operator state in checkpoint ${restore.checkpointId} has a format this TaskManager does not know`);
  }
  return { sourceSplits, operatorStates };
}
