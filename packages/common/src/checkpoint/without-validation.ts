/**
 * The checkpoint exports that load no validation library: what slot threads
 * need (`@rivulet/common/task-runtime` re-exports exactly this). The codecs
 * that read `_metadata` and acknowledgements validate with zod (~0.3 s to
 * load) and are exported by `index.ts` only.
 */
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
export type { JsonValue, KeyGroupStateHandle, OperatorSubtaskState, SubtaskStateSnapshot } from './state-handles.js';
export { SUBTASK_STATE_FORMAT, encodeSubtaskStateSnapshot } from './subtask-state-encoding.js';
export { NO_CHECKPOINT_METRICS, type SubtaskCheckpointMetrics } from './subtask-checkpoint-metrics.js';
export {
  isOperatorListStateSnapshot,
  mergeOperatorListStates,
  OPERATOR_LIST_STATE_FORMAT,
  redistributeOperatorListState,
  type OperatorListMode,
  type OperatorListStateEntry,
  type OperatorListStateSnapshot,
} from './operator-list-state.js';
