export {
  CheckpointMetadataError,
  CheckpointRestoreError,
  SubtaskStateSnapshotError,
} from './errors.js';
export {
  METADATA_FILE_NAME,
  checkpointFolderOf,
  externalPathOf,
  isRelativeStoragePath,
  metadataPathOf,
  savepointFolderName,
  subtaskStateFolderOf,
  type SnapshotLocation,
} from './snapshot-location.js';
export {
  SUBTASK_STATE_FORMAT,
  decodeSubtaskStateSnapshot,
  encodeSubtaskStateSnapshot,
  type JsonValue,
  type KeyGroupStateHandle,
  type OperatorSubtaskState,
  type SubtaskStateSnapshot,
} from './state-handles.js';
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
  isOperatorListStateSnapshot,
  mergeOperatorListStates,
  OPERATOR_LIST_STATE_FORMAT,
  redistributeOperatorListState,
  type OperatorListMode,
  type OperatorListStateEntry,
  type OperatorListStateSnapshot,
} from './operator-list-state.js';
export {
  planRestore,
  type OperatorRestorePlan,
  type PlanRestoreOptions,
  type PreviousOperatorState,
  type RestorePlan,
  type RestoreTarget,
  type SubtaskRestore,
} from './restore-plan.js';
