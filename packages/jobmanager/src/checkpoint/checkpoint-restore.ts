/**
 * Registering the snapshot a job starts from. Contract: the snapshot becomes
 * the recovery point (latest in the store) until a newer checkpoint completes;
 * the id counter moves past its id, so no later checkpoint reuses it; it is
 * counted as a restore in the statistics. A savepoint or another run's
 * checkpoint is not owned (the default) and is never deleted; `owned: true`
 * is for the job's own checkpoint (a new leader recovering the job), which
 * retention may then delete.
 */
import { externalPathOf, type CheckpointMetadata, type SnapshotLocation } from '@rivulet/common';
import type { CheckpointIdCounter } from './checkpoint-id-counter.js';
import type { CheckpointStatsTracker } from './checkpoint-stats-tracker.js';
import { isSavepoint, type CompletedCheckpoint } from './checkpoint-types.js';
import type { CompletedCheckpointStore } from './completed-checkpoint-store.js';

export interface RestoreDeps {
  readonly counter: CheckpointIdCounter;
  readonly store: CompletedCheckpointStore;
  readonly statistics: CheckpointStatsTracker;
  readonly checkpointRoot: string;
  readonly now: () => number;
}

export interface RestoreOptions {
  /** @default false */
  readonly owned?: boolean;
  /** @default now */
  readonly restoreTimestamp?: number;
}

export async function restoreFromSnapshot(
  deps: RestoreDeps,
  metadata: CheckpointMetadata,
  location: SnapshotLocation,
  options: RestoreOptions = {},
): Promise<CompletedCheckpoint> {
  await deps.counter.advanceTo(metadata.checkpointId + 1);
  const restored: CompletedCheckpoint = {
    checkpointId: metadata.checkpointId,
    kind: metadata.savepoint ? 'savepoint' : 'checkpoint',
    location,
    externalPath: externalPathOf(location, deps.checkpointRoot),
    metadata,
    owned: options.owned === true,
  };
  await deps.store.add(restored);
  reportRestored(deps.statistics, restored, options.restoreTimestamp ?? deps.now());
  return restored;
}

export function reportRestored(statistics: CheckpointStatsTracker, checkpoint: CompletedCheckpoint, restoreTimestamp: number): void {
  statistics.reportRestored({
    checkpointId: checkpoint.checkpointId,
    restoreTimestamp,
    savepoint: isSavepoint(checkpoint.kind),
    externalPath: checkpoint.externalPath,
  });
}
