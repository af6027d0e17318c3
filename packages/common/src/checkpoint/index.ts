export * from './without-validation.js';
export { decodeSubtaskStateSnapshot, encodeSubtaskStateSnapshot, SUBTASK_STATE_FORMAT } from './state-handles.js';
export {
  CHECKPOINT_METADATA_FORMAT,
  CHECKPOINT_METADATA_VERSION,
  decodeMetadata,
  encodeMetadata,
  keyGroupAssignmentOf,
  subtaskMemberId,
  type CheckpointMetadata,
  type OperatorState,
  type SubtaskState,
} from './checkpoint-metadata.js';
export {
  planRestore,
  type OperatorRestorePlan,
  type PlanRestoreOptions,
  type PreviousOperatorState,
  type RestorePlan,
  type RestoreTarget,
  type SubtaskRestore,
} from './restore-plan.js';
