/**
 * Counts consecutive checkpoint failures against
 * execution.checkpointing.tolerable-failed-checkpoints (Flink's
 * CheckpointFailureManager).
 *
 * Contract: only counted reasons (countsTowardsTolerableFailures) of periodic
 * or manual checkpoints count — never savepoints; each checkpoint id counts
 * at most once, and not at all when it is older than the last success; a
 * success resets the count. When the count exceeds the tolerated number,
 * `failJob` is called once with the reason and the count starts again.
 */
import { countsTowardsTolerableFailures, type CheckpointFailure } from './checkpoint-failure.js';
import type { CheckpointKind } from './checkpoint-types.js';

export class CheckpointFailureManager {
  private readonly counted = new Set<number>();
  private lastSucceeded = 0;

  constructor(
    private readonly tolerable: number,
    private readonly failJob: (reason: string) => void,
  ) {}

  get consecutiveFailures(): number {
    return this.counted.size;
  }

  handleFailure(checkpointId: number, kind: CheckpointKind, failure: CheckpointFailure): void {
    if (kind !== 'checkpoint' || !countsTowardsTolerableFailures(failure.reason)) return;
    if (checkpointId < this.lastSucceeded || this.counted.has(checkpointId)) return;
    this.counted.add(checkpointId);
    if (this.counted.size <= this.tolerable) return;
    const count = this.counted.size;
    this.counted.clear();
    this.failJob(
      `Exceeded checkpoint tolerable failure threshold: ${count} consecutive checkpoint failure${count === 1 ? '' : 's'}, ` +
        `${this.tolerable} tolerated (execution.checkpointing.tolerable-failed-checkpoints); ` +
        `last: checkpoint ${checkpointId} ${failure.message}`,
    );
  }

  handleSuccess(checkpointId: number): void {
    if (checkpointId <= this.lastSucceeded) return;
    this.lastSucceeded = checkpointId;
    this.counted.clear();
  }
}
