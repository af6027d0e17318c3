/**
 * Why a task whose loop ended declines a checkpoint (a bounded source at
 * its end, in a job without periodic checkpoints, waits for its last records
 * to be consumed; or any task after a stop with savepoint): it ended its
 * output, so no barrier can follow, and the checkpoint fails at once, saying
 * why, instead of at its timeout — as "task closing", which the JobManager
 * does not count as a checkpoint failure.
 */
export function finishingDeclineReason(task: string, stopSavepoint: number | undefined, finalCompleted: boolean): string {
  if (stopSavepoint !== undefined) return `${task} was stopped with savepoint ${stopSavepoint} and is finishing`;
  if (finalCompleted) return `${task} took its final checkpoint and is finishing`;
  return `${task} reached the end of its input and is finishing (its last records are still being consumed downstream); ` +
    'a job without periodic checkpoints has no checkpoints after tasks finish: take the savepoint before a bounded source ends, or enable execution.checkpointing.interval';
}
