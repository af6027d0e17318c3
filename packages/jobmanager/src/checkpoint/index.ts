export { CheckpointCoordinator, type AcknowledgeOutcome, type CheckpointCoordinatorOptions, type DeclineOutcome } from './checkpoint-coordinator.js';
export {
  MINIMAL_CHECKPOINT_TIME_MS,
  resolveCheckpointConfiguration,
  type CheckpointConfigKeys,
  type CheckpointCoordinatorConfiguration,
  type CheckpointingMode,
  type ExternalizedCheckpointRetention,
} from './checkpoint-configuration.js';
export {
  CheckpointFailedError,
  CheckpointFailures,
  countsTowardsTolerableFailures,
  type CheckpointFailure,
  type CheckpointFailureReason,
} from './checkpoint-failure.js';
export { CheckpointFailureManager } from './checkpoint-failure-manager.js';
export { CheckpointFinalizer, type FinalizeOutcome } from './checkpoint-finalizer.js';
export { type RestoreOptions } from './checkpoint-restore.js';
export { StandaloneCheckpointIdCounter, type CheckpointIdCounter } from './checkpoint-id-counter.js';
export { CHECKPOINT_METRIC_PREFIX, CheckpointMetrics } from './checkpoint-metrics.js';
export { checkPlan, type CheckpointPlan, type CheckpointPlanOutcome, type OperatorToSnapshot, type TaskToAcknowledge } from './checkpoint-plan.js';
export { CheckpointStatsTracker, type CheckpointStats, type CheckpointStatsStatus, type RestoredStats } from './checkpoint-stats-tracker.js';
export {
  readCheckpointMetadata,
  storageOf,
  type CheckpointStorageAccess,
  type SnapshotStorages,
} from './checkpoint-storage-access.js';
export { systemTimers, type Cancellable, type CheckpointTimers } from './checkpoint-timers.js';
export {
  isSavepoint,
  type CheckpointKind,
  type CheckpointTrigger,
  type CompletedCheckpoint,
  type JobEndStatus,
} from './checkpoint-types.js';
export { StandaloneCompletedCheckpointStore, discardsOnJobEnd, type CompletedCheckpointStore } from './completed-checkpoint-store.js';
export { checkpointPlanOf } from './execution-graph-plan.js';
export { PendingCheckpoint, type AcknowledgeResult } from './pending-checkpoint.js';
export { TriggerRequestQueue, type TriggerDecision, type TriggerState } from './trigger-request-queue.js';
