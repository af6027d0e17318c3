import type { JobGraph } from '@rivulet/api';
import type { JobStatus, LeaderSession, Logger } from '@rivulet/common';
import type { Execution, ExecutionGraph } from '../executiongraph/execution-graph.js';
import type { TaskManagerRegistry } from '../resourcemanager/task-manager-registry.js';
import type { TaskManagerGateway } from '../rpc/taskmanager-gateway.js';
import type { FailureCause, JobAvailability } from './job-availability.js';
import type { JobCheckpointing } from './job-checkpointing.js';
import type { JobSlots } from './job-slots.js';

/**
 * What a JobMaster shares with the collaborators that do part of its work
 * (first scheduling, deployment, cancellation, failover, restarts, reactive
 * rescaling, adoption after a leader change): the job's execution graph and
 * slots, the cluster it runs on, and the job's status and failure paths —
 * which stay with the JobMaster, the one place the job's status changes.
 */
export interface JobContext {
  readonly jobId: string;
  /** The job graph as submitted (its configured parallelism). */
  readonly jobGraph: JobGraph;
  readonly graph: ExecutionGraph;
  readonly slots: JobSlots;
  readonly registry: TaskManagerRegistry;
  readonly gateway: TaskManagerGateway;
  /** This JobManager's leader session; undefined when it does not lead. */
  readonly session: () => LeaderSession | undefined;
  readonly checkpointing: JobCheckpointing;
  readonly availability: JobAvailability;
  readonly log: Logger;
  readonly now: () => number;
  status(): JobStatus;
  setStatus(status: JobStatus): void;
  /** A failure failover handles: counted in the job's metrics and kept in its exception history. */
  recordFailure(failure: string, execution: Execution | undefined, cause: FailureCause): void;
  /** Fails the job with `failure` (recorded unless `record` is false), cancelling every other execution. */
  fail(failure: string, execution: Execution | undefined, record?: boolean): void;
}
