import type { CallSurface } from '@rivulet/common';

/**
 * Every TaskManagerService method is internal: only the JobManager calls
 * them, and with internal TLS on each needs a certificate signed by the
 * cluster CA; a client token never authorizes them (docs/security.md).
 */
export const TASK_MANAGER_RPC_SURFACES: Readonly<Record<string, CallSurface>> = {
  DeployTask: 'internal',
  CancelTask: 'internal',
  TriggerCheckpoint: 'internal',
  NotifyCheckpointComplete: 'internal',
  NotifyCheckpointAborted: 'internal',
  ReleaseSlots: 'internal',
  SendOperatorEvent: 'internal',
};
