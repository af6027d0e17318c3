/**
 * Why a checkpoint failed: a reason code (Flink's CheckpointFailureReason
 * names) and a one-line message stating the cause, as shown in REST
 * `failure_message`, logs and the job's failure when the tolerable number of
 * failures is exceeded.
 */
import { RivuletError, errorMessage, formatDuration } from '@rivulet/common';

export type CheckpointFailureReason =
  /** Not completed within execution.checkpointing.timeout. Counted. */
  | 'CHECKPOINT_EXPIRED'
  /** A task declined (its snapshot or upload failed). Counted. */
  | 'CHECKPOINT_DECLINED'
  /** A task declined because it reached the end of its input and is finishing: it can take no barrier. Not counted (Flink). */
  | 'CHECKPOINT_DECLINED_TASK_CLOSING'
  /** A task's acknowledgement does not match the checkpoint plan or is malformed. Counted. */
  | 'INVALID_ACKNOWLEDGEMENT'
  /** Writing `_metadata` failed. Counted. */
  | 'FINALIZE_CHECKPOINT_FAILURE'
  /**
   * The completed-checkpoint store could not record it (with HA: etcd
   * unreachable, or this JobManager no longer leads). Not counted: an etcd
   * outage shorter than the lease TTL must not fail the job, and a longer
   * one makes the leader step down anyway.
   */
  | 'CHECKPOINT_RECORD_FAILURE'
  /** The sources could not be triggered, or no checkpoint id could be had. Not counted (Flink). */
  | 'TRIGGER_CHECKPOINT_FAILURE'
  /** The job (or a task of it) is not running. Not counted. */
  | 'NOT_ALL_REQUIRED_TASKS_RUNNING'
  /** A newer checkpoint completed first. Not counted. */
  | 'CHECKPOINT_SUBSUMED'
  /** The job left RUNNING (failover, cancellation): pending checkpoints are aborted. Not counted. */
  | 'CHECKPOINT_COORDINATOR_SUSPEND'
  /** The coordinator was shut down. Not counted. */
  | 'CHECKPOINT_COORDINATOR_SHUTDOWN';

export interface CheckpointFailure {
  readonly reason: CheckpointFailureReason;
  readonly message: string;
}

const COUNTED: ReadonlySet<CheckpointFailureReason> = new Set([
  'CHECKPOINT_EXPIRED',
  'CHECKPOINT_DECLINED',
  'INVALID_ACKNOWLEDGEMENT',
  'FINALIZE_CHECKPOINT_FAILURE',
]);

/** Whether a failure counts towards execution.checkpointing.tolerable-failed-checkpoints. */
export function countsTowardsTolerableFailures(reason: CheckpointFailureReason): boolean {
  return COUNTED.has(reason);
}

function failure(reason: CheckpointFailureReason, message: string): CheckpointFailure {
  return { reason, message };
}

const list = (names: readonly string[]): string =>
  names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');

/** The failures the coordinator produces, with their messages. */
export const CheckpointFailures = {
  expired: (timeoutMs: number, waitingFor: readonly string[]): CheckpointFailure =>
    failure(
      'CHECKPOINT_EXPIRED',
      `timeout: not completed within ${formatDuration(timeoutMs)} (execution.checkpointing.timeout); ` +
        (waitingFor.length > 0 ? `no acknowledgement from ${list(waitingFor)}` : 'still writing its metadata'),
    ),
  declined: (task: string, reason: string): CheckpointFailure =>
    failure('CHECKPOINT_DECLINED', `declined by task ${task}: ${reason || 'no reason given'}`),
  declinedTaskClosing: (task: string, reason: string): CheckpointFailure =>
    failure('CHECKPOINT_DECLINED_TASK_CLOSING', `declined by task ${task}: ${reason || 'the task is finishing'}`),
  invalidAcknowledgement: (task: string, problem: string): CheckpointFailure =>
    failure('INVALID_ACKNOWLEDGEMENT', `invalid acknowledgement from task ${task}: ${problem}`),
  metadataWriteFailed: (path: string, err: unknown): CheckpointFailure =>
    failure('FINALIZE_CHECKPOINT_FAILURE', `storage failure writing metadata ${path}: ${errorMessage(err)}`),
  recordFailed: (err: unknown): CheckpointFailure =>
    failure('CHECKPOINT_RECORD_FAILURE', `the completed checkpoint could not be recorded: ${errorMessage(err)}`),
  triggerFailed: (what: string, err: unknown): CheckpointFailure =>
    failure('TRIGGER_CHECKPOINT_FAILURE', `${what}: ${errorMessage(err)}`),
  jobNotRunning: (detail: string): CheckpointFailure =>
    failure('NOT_ALL_REQUIRED_TASKS_RUNNING', `job not running: ${detail}`),
  suspended: (detail: string): CheckpointFailure =>
    failure('CHECKPOINT_COORDINATOR_SUSPEND', `job not running: ${detail}`),
  subsumed: (by: number): CheckpointFailure =>
    failure('CHECKPOINT_SUBSUMED', `subsumed by completed checkpoint ${by}`),
  shutdown: (detail: string): CheckpointFailure =>
    failure('CHECKPOINT_COORDINATOR_SHUTDOWN', `checkpoint coordinator stopped: ${detail}`),
} as const;

/** Rejects a trigger (checkpoint or savepoint) whose snapshot failed or never started. */
export class CheckpointFailedError extends RivuletError {
  override readonly name = 'CheckpointFailedError';
  /** Undefined when the failure came before an id was assigned. */
  readonly checkpointId: number | undefined;
  readonly failure: CheckpointFailure;

  constructor(checkpointId: number | undefined, failure: CheckpointFailure, what: 'checkpoint' | 'savepoint' = 'checkpoint') {
    super('JOB', `${checkpointId === undefined ? what : `${what} ${checkpointId}`} failed: ${failure.message}`);
    this.checkpointId = checkpointId;
    this.failure = failure;
  }
}
