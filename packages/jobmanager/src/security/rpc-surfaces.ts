import type { CallSurface } from '@rivulet/common';

/**
 * The surface of each JobManagerService method (docs/security.md): what a
 * TaskManager calls is internal and needs a cluster certificate when
 * internal TLS is on; what a client calls needs the client token (reads:
 * per security.auth.read-only-endpoints). A method missing here is treated
 * as internal, the safe side.
 */
export const JOB_MANAGER_RPC_SURFACES: Readonly<Record<string, CallSurface>> = {
  RegisterTaskManager: 'internal',
  Heartbeat: 'internal',
  DisconnectTaskManager: 'internal',
  AcknowledgeCheckpoint: 'internal',
  DeclineCheckpoint: 'internal',
  UpdateTaskExecutionState: 'internal',
  GetJobBundle: 'internal',
  SendOperatorEvent: 'internal',
  SubmitJob: 'client-write',
  CancelJob: 'client-write',
  StopJob: 'client-write',
  TriggerSavepoint: 'client-write',
  ClusterOverview: 'client-read',
  ListJobs: 'client-read',
  GetJob: 'client-read',
};
