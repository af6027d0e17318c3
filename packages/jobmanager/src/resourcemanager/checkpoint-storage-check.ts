import { ConfigurationError, type StorageIdentity, type pb } from '@rivulet/common';

/**
 * Whether a registering TaskManager writes checkpoints where this JobManager
 * reads them: the normalized `execution.checkpointing.dir` of both must be
 * equal. A TaskManager that sends none (it predates the field) cannot be
 * checked: undefined, and it is accepted. A mismatch is a ConfigurationError
 * naming both values and the key: the TaskManager stops on it (exit 1)
 * rather than "complete" checkpoints no restore can read.
 */
export function checkpointStorageMismatch(
  request: Pick<pb.RegisterTaskManagerRequest__Output, 'resourceId' | 'checkpointDir'>,
  own: StorageIdentity,
): ConfigurationError | undefined {
  const theirs = request.checkpointDir;
  if (!theirs?.normalized || theirs.normalized === own.normalized) return undefined;
  return new ConfigurationError(
    `TaskManager ${request.resourceId} refused: its execution.checkpointing.dir ${describe(theirs)} is not this JobManager's ${describe(own)}; ` +
      'its checkpoints would be written where no restore reads them: give every JobManager and TaskManager the same execution.checkpointing.dir',
    { key: 'execution.checkpointing.dir' },
  );
}

function describe(location: { readonly configured: string; readonly normalized: string }): string {
  return location.configured === location.normalized ? `"${location.configured}"` : `"${location.configured}" (${location.normalized})`;
}
