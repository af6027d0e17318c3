import { errorMessage, type AssignmentTable } from '@rivulet/common';
import type { CheckpointCoordinatorConfiguration } from '../checkpoint/index.js';
import type { Execution } from '../executiongraph/execution-graph.js';
import { assignKeyGroupsOfVertices, buildDescriptor } from '../scheduler/deployment-descriptors.js';
import { taskRestoreOf, type JobRestore } from './failover-restore.js';
import type { JobContext } from './job-context.js';

/**
 * Deployment gives the event loop back at least this often: building and
 * sending 10,000 descriptors takes seconds, during which heartbeats,
 * acknowledgements and REST calls would otherwise wait (and TaskManagers
 * whose heartbeats waited would be declared lost).
 */
const DEPLOY_SLICE_MS = 20;

export interface TaskDeploymentOptions {
  readonly bundleSha256: string;
  readonly checkpointingMode: CheckpointCoordinatorConfiguration['mode'];
  /** execution.checkpointing.unaligned.enabled. */
  readonly unalignedCheckpoints?: boolean;
  /** The job checkpoints periodically: its tasks end with a final checkpoint (TaskDeploymentDescriptor.finalCheckpoint). */
  readonly finalCheckpoint: boolean;
  /** A DeployTask call failed: the attempt failed with `failure`. */
  readonly onDeployFailed: (execution: Execution, failure: string) => void;
}

/**
 * What a job's subtasks are given to run: the key-group assignment of every
 * keyed vertex (the tables producers route by and checkpoints carry), and
 * for each scheduled attempt its deployment descriptor — chain, inputs,
 * outputs, key groups, what it restores — sent to its TaskManager.
 */
export class TaskDeployment {
  private assignment: ReadonlyMap<string, AssignmentTable> = new Map();

  constructor(
    private readonly job: Pick<JobContext, 'jobId' | 'jobGraph' | 'graph' | 'slots' | 'gateway' | 'session'>,
    private readonly options: TaskDeploymentOptions,
  ) {}

  /** The key-group assignment of every keyed vertex, by vertex id. */
  get tables(): ReadonlyMap<string, AssignmentTable> {
    return this.assignment;
  }

  /** Assigns the key groups of every keyed vertex of the graph as it is now, keeping the tables `restore` carries. */
  assignKeyGroups(restore: JobRestore | undefined): void {
    const restoredTables = new Map<string, AssignmentTable>();
    for (const [operatorId, plan] of restore?.plan.operators ?? []) {
      if (plan.keyGroupAssignment) restoredTables.set(operatorId, plan.keyGroupAssignment);
    }
    this.assignment = assignKeyGroupsOfVertices(this.job.graph, this.job.jobGraph.maxParallelism, restoredTables);
  }

  /** Puts each of `executions` (state CREATED) on the job's slot of its subtask index: SCHEDULED. */
  schedule(executions: readonly Execution[]): void {
    for (const execution of executions) {
      execution.slot = this.job.slots.get(execution.subtaskIndex);
      this.job.graph.transition(execution, 'SCHEDULED');
    }
  }

  /**
   * Sends every one of `executions` (all with slots, state SCHEDULED) to its
   * TaskManager, in slices of about DEPLOY_SLICE_MS; an execution no longer
   * SCHEDULED when its turn comes (restarted or cancelled meanwhile) is skipped.
   */
  deploy(executions: readonly Execution[], restore: JobRestore | undefined): void {
    const session = this.job.session();
    if (!session) return;
    const jobGraph = this.job.jobGraph;
    const info = {
      operators: new Map(jobGraph.operators.map((op) => [op.id, op] as const)),
      jobId: this.job.jobId,
      jobName: jobGraph.name,
      defaultParallelism: jobGraph.defaultParallelism,
      maxParallelism: jobGraph.maxParallelism,
      args: jobGraph.args,
      bundleSha256: this.options.bundleSha256,
      checkpointingMode: this.options.checkpointingMode,
      unalignedCheckpoints: this.options.unalignedCheckpoints === true,
      finalCheckpoint: this.options.finalCheckpoint,
      objectReuse: jobGraph.objectReuse === true,
      autoWatermarkIntervalMs: jobGraph.autoWatermarkIntervalMs,
    };
    let next = 0;
    const slice = (): void => {
      // Leadership lost or changed between two slices: a new leader deploys (or adopts) on its own.
      if (this.job.session()?.sessionId !== session.sessionId) return;
      const until = performance.now() + DEPLOY_SLICE_MS;
      while (next < executions.length) {
        const execution = executions[next++]!;
        // Restarted, cancelled or failed since it was scheduled: nothing to send.
        if (execution.state !== 'SCHEDULED' || this.job.graph.get(execution.attemptId) !== execution) continue;
        const slot = execution.slot!;
        const descriptor = buildDescriptor(info, this.job.graph, this.assignment, execution, restore ? taskRestoreOf(restore, execution) : undefined);
        this.job.graph.transition(execution, 'DEPLOYING');
        this.job.gateway.deploy(slot.rpcAddress, session, descriptor, slot.slotIndex, slot.allocationId).catch((err: unknown) => {
          this.options.onDeployFailed(execution, `deploying to TaskManager ${slot.resourceId} failed: ${errorMessage(err)}`);
        });
        if (next < executions.length && performance.now() > until) {
          setImmediate(slice);
          return;
        }
      }
    };
    slice();
  }
}
