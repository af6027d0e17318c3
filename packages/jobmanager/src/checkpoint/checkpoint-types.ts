/** Types shared by the coordinator's parts and its callers. */
import type { CheckpointMetadata, SnapshotLocation } from '@rivulet/common';
import type { CheckpointingMode } from './checkpoint-configuration.js';

/**
 * Flink's checkpoint types: a periodic or manual `checkpoint`; an
 * intermediate `savepoint` (tasks are not told it completed, it does not
 * become the job's recovery point); a `terminating-savepoint` for stop with
 * savepoint (tasks are told, so sinks commit before the job finishes).
 */
export type CheckpointKind = 'checkpoint' | 'savepoint' | 'terminating-savepoint';

export const isSavepoint = (kind: CheckpointKind): boolean => kind !== 'checkpoint';

/** What `triggerSources` is given: enough for the JobMaster to send TriggerCheckpoint to each source. */
export interface CheckpointTrigger {
  readonly checkpointId: number;
  /** Epoch milliseconds of the trigger (TriggerCheckpointRequest.timestamp_ms). */
  readonly timestamp: number;
  /** TriggerCheckpointRequest.savepoint. */
  readonly savepoint: boolean;
  /** Stop with savepoint: sources end after emitting the barrier. */
  readonly terminate: boolean;
  /** Barrier alignment the tasks apply (execution.checkpointing.mode). */
  readonly mode: CheckpointingMode;
  /**
   * Where the tasks write their state: the snapshot folder, under the
   * checkpoint storage (root null) or a savepoint directory. Handle paths
   * they acknowledge are relative to it.
   */
  readonly location: SnapshotLocation;
}

/** A snapshot whose `_metadata` is durable. */
export interface CompletedCheckpoint {
  readonly checkpointId: number;
  readonly kind: CheckpointKind;
  readonly location: SnapshotLocation;
  /** `<root>/<folder>` as users see it (REST `external_path`, `rivulet savepoint`). */
  readonly externalPath: string;
  readonly metadata: CheckpointMetadata;
  /**
   * Whether the job owns the files. Owned checkpoints are deleted when
   * retention pushes them out or the job ends (per the retention setting);
   * a snapshot the job was restored from (a savepoint, another run's
   * checkpoint) is never owned and never deleted.
   */
  readonly owned: boolean;
}

/** How a job ended, for retention (SUSPENDED: this JobManager stopped leading it; it is not over). */
export type JobEndStatus = 'FINISHED' | 'CANCELED' | 'FAILED' | 'SUSPENDED';
