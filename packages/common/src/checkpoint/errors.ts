/**
 * Errors of the checkpoint formats shared by the JobManager and TaskManagers.
 * None is retryable: each means bytes or a restore request that can never
 * work as they are. All map to CLI exit code 1 (a job error).
 */
import { RivuletError } from '../errors.js';

/**
 * A snapshot's `_metadata` is missing, unreadable, or fails validation.
 * `path` names the metadata file (or the snapshot folder when it has none).
 * A checkpoint without valid metadata does not exist: it is never restored from.
 */
export class CheckpointMetadataError extends RivuletError {
  override readonly name = 'CheckpointMetadataError';
  readonly path: string;
  readonly reason: string;

  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super('JOB', `checkpoint metadata ${path}: ${reason}`, options);
    this.path = path;
    this.reason = reason;
  }
}

/** The `state_handles` of an AcknowledgeCheckpoint are not a valid SubtaskStateSnapshot. */
export class SubtaskStateSnapshotError extends RivuletError {
  override readonly name = 'SubtaskStateSnapshotError';

  constructor(message: string, options?: { cause?: unknown }) {
    super('JOB', message, options);
  }
}

/**
 * A snapshot cannot be restored into the job as it is now: an operator of the
 * snapshot is missing from the job (without allowNonRestoredState), the number
 * of key groups differs, an operator changed between keyed and not keyed, or a
 * parallelism is out of range. `operatorId` names the operator when one is at fault.
 */
export class CheckpointRestoreError extends RivuletError {
  override readonly name = 'CheckpointRestoreError';
  readonly operatorId: string | undefined;

  constructor(message: string, operatorId?: string) {
    super('JOB', message);
    this.operatorId = operatorId;
  }
}
