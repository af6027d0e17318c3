/**
 * The job's completed checkpoints, newest last: what a restore uses
 * (`latest()`), and retention (execution.checkpointing.num-retained and
 * externalized-checkpoint-retention).
 *
 * Invariants: at most numRetained checkpoints are kept; a checkpoint becomes
 * `latest()` only once `add` resolved; only owned checkpoints are ever handed
 * back for deletion — savepoints never enter the store, and snapshots the job
 * was restored from are kept but never deleted. The caller deletes the files
 * of what `add` and `shutdown` return.
 */
import type { ExternalizedCheckpointRetention } from './checkpoint-configuration.js';
import type { CompletedCheckpoint, JobEndStatus } from './checkpoint-types.js';

export interface CompletedCheckpointStore {
  /**
   * Records `checkpoint` as the latest (with HA also in etcd,
   * `checkpoints/<job-id>/latest`). Resolves with the owned checkpoints it
   * pushed beyond the retained count; rejects when it could not record it, and
   * then it is not the latest.
   */
  add(checkpoint: CompletedCheckpoint): Promise<readonly CompletedCheckpoint[]>;
  latest(): CompletedCheckpoint | undefined;
  /** Oldest first. */
  all(): readonly CompletedCheckpoint[];
  /** Ends the store; resolves with the owned checkpoints to delete for a job that ended with `status`. */
  shutdown(status: JobEndStatus, retention: ExternalizedCheckpointRetention): Promise<readonly CompletedCheckpoint[]>;
}

/**
 * Whether a job ending with `status` deletes its retained checkpoints, as
 * Flink's checkpoint properties decide: always when it FINISHED; when it was
 * CANCELED unless RETAIN_ON_CANCELLATION; when it FAILED only with
 * NO_EXTERNALIZED_CHECKPOINTS; never when SUSPENDED (another JobManager
 * recovers the job from them).
 */
export function discardsOnJobEnd(status: JobEndStatus, retention: ExternalizedCheckpointRetention): boolean {
  switch (status) {
    case 'FINISHED':
      return true;
    case 'CANCELED':
      return retention !== 'RETAIN_ON_CANCELLATION';
    case 'FAILED':
      return retention === 'NO_EXTERNALIZED_CHECKPOINTS';
    case 'SUSPENDED':
      return false;
  }
}

/** In-memory store (high-availability.type: none). */
export class StandaloneCompletedCheckpointStore implements CompletedCheckpointStore {
  private checkpoints: CompletedCheckpoint[] = [];
  private closed = false;

  constructor(private readonly numRetained: number) {
    if (!Number.isInteger(numRetained) || numRetained < 1) throw new RangeError(`num-retained must be at least 1, got ${numRetained}`);
  }

  async add(checkpoint: CompletedCheckpoint): Promise<readonly CompletedCheckpoint[]> {
    if (this.closed) throw new Error('the completed checkpoint store is shut down');
    const last = this.latest();
    if (last !== undefined && checkpoint.checkpointId <= last.checkpointId) {
      throw new Error(`checkpoint ${checkpoint.checkpointId} is not newer than the latest completed checkpoint ${last.checkpointId}`);
    }
    this.checkpoints.push(checkpoint);
    const removed = this.checkpoints.splice(0, Math.max(0, this.checkpoints.length - this.numRetained));
    return removed.filter((c) => c.owned);
  }

  latest(): CompletedCheckpoint | undefined {
    return this.checkpoints.at(-1);
  }

  all(): readonly CompletedCheckpoint[] {
    return [...this.checkpoints];
  }

  async shutdown(status: JobEndStatus, retention: ExternalizedCheckpointRetention): Promise<readonly CompletedCheckpoint[]> {
    this.closed = true;
    const discard = discardsOnJobEnd(status, retention) ? this.checkpoints.filter((c) => c.owned) : [];
    this.checkpoints = [];
    return discard;
  }
}
