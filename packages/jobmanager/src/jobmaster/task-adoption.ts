import type { TaskManagerRegistration } from '../resourcemanager/task-manager-registration.js';
import type { JobRestore } from './failover-restore.js';
import type { JobContext } from './job-context.js';
import { refOf } from './pending-restart.js';
import type { SubtaskRestarts } from './subtask-restarts.js';
import type { TaskDeployment } from './task-deployment.js';

export interface TaskAdoptionOptions {
  readonly deployment: TaskDeployment;
  readonly restarts: SubtaskRestarts;
  /**
   * Set for a job whose running tasks cannot simply go on under the new
   * leader (its split enumerators' state since the latest checkpoint died
   * with the old one): once adopted, every subtask restarts from the latest
   * checkpoint, for this reason.
   */
  readonly restartAfterAdoption?: string;
  /** Called when every task was adopted and the job goes on untouched (not with `restartAfterAdoption`). */
  readonly onAdopted?: () => void;
}

/** What a recovered job restores from: the latest completed checkpoint, or the savepoint it started from (not owned). */
export type JobRecovery = JobRestore & { readonly owned: boolean };

/**
 * A job recovered by a new leader from the HA job store, whose tasks may
 * still run on the TaskManagers: adopts the running attempts TaskManagers
 * report as they register, so a JobManager failover costs the job no
 * restart; what is not adopted in time restarts from the latest checkpoint.
 */
export class TaskAdoption {
  /** Set while the job waits to adopt its running tasks (the adoption deadline). */
  private deadline: NodeJS.Timeout | undefined;

  constructor(
    private readonly job: JobContext,
    private readonly options: TaskAdoptionOptions,
  ) {}

  /**
   * Registers the latest completed checkpoint (`recovery`) as the recovery
   * point, then adopts the tasks of the TaskManagers registered so far and
   * of those that register later (`offer`). When every subtask has a running
   * attempt the job goes on untouched: 0 restarts. What is not adopted within
   * `adoptionTimeoutMs` is restarted from the latest checkpoint.
   */
  async recover(recovery: JobRecovery | undefined, adoptionTimeoutMs: number): Promise<void> {
    this.options.deployment.assignKeyGroups(recovery);
    if (recovery) {
      // The job's own checkpoint stays owned (retention may delete it later); a savepoint it started from does not.
      await this.job.checkpointing.coordinator.restoreFromSnapshot(recovery.metadata, recovery.location, { owned: recovery.owned });
    }
    this.deadline = setTimeout(() => this.timedOut(), adoptionTimeoutMs);
    this.job.log.info({ adoptionTimeoutMs, checkpointId: recovery?.plan.checkpointId ?? null }, 'recovering the job: adopting running tasks');
    for (const registration of this.job.registry.all()) this.offer(registration);
  }

  /** A TaskManager registered with the tasks it runs: adopt this job's, while recovering. */
  offer(registration: TaskManagerRegistration): void {
    if (this.deadline === undefined) return;
    const { graph, slots } = this.job;
    for (const task of registration.tasks) {
      if (task.jobId !== this.job.jobId || task.slotIndex < 0) continue;
      if (!['DEPLOYING', 'INITIALIZING', 'RUNNING'].includes(task.state)) continue;
      const execution = graph.executionOf(task.vertexId, task.subtaskIndex);
      if (!execution || execution.state !== 'CREATED') continue;
      const index = task.subtaskIndex;
      let slot = slots.get(index);
      if (slot && (slot.registrationId !== registration.registrationId || slot.allocationId !== task.allocationId)) continue; // inconsistent: restarted later
      if (!slot) {
        const held = registration.allocations[task.slotIndex];
        if (held && held.allocationId !== task.allocationId) continue;
        registration.allocations[task.slotIndex] = { allocationId: task.allocationId, jobId: this.job.jobId };
        slot = {
          resourceId: registration.resourceId,
          registrationId: registration.registrationId,
          slotIndex: task.slotIndex,
          allocationId: task.allocationId,
          rpcAddress: `${registration.rpcEndpoint.host}:${registration.rpcEndpoint.port}`,
          dataHost: registration.dataEndpoint.host,
          dataPort: registration.dataEndpoint.port,
        };
        slots.assign(index, slot);
      }
      const adopted = graph.adopt(execution, task.executionAttemptId, task.attemptNumber, task.state as 'DEPLOYING' | 'INITIALIZING' | 'RUNNING');
      adopted.slot = slot;
      if (task.endOfData) this.job.checkpointing.onEndOfData(adopted.attemptId);
    }
    this.job.registry.allocationsChanged();
    if (graph.executions.every((e) => e.state !== 'CREATED')) this.adopted();
  }

  /** The job ended or is suspended: no adoption deadline runs any more. */
  stop(): void {
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = undefined;
  }

  private adopted(): void {
    this.stop();
    const { graph, checkpointing } = this.job;
    this.job.setStatus('RUNNING');
    const restart = this.options.restartAfterAdoption;
    if (restart !== undefined) {
      this.job.log.warn({ subtasks: graph.executions.length }, restart);
      this.options.restarts.begin(graph.executions.map(refOf), 0, restart);
      return;
    }
    this.job.log.info({ subtasks: graph.executions.length }, 'job adopted: every task kept running');
    this.options.onAdopted?.();
    if (graph.allIn(['RUNNING'])) {
      this.job.availability.allRunning();
      checkpointing.startIfAllRunning();
    }
    // A commit the previous leader may not have sent: committing is idempotent.
    checkpointing.renotifyLatestCompleted();
  }

  private timedOut(): void {
    this.deadline = undefined;
    const graph = this.job.graph;
    const missing = graph.executions.filter((e) => e.state === 'CREATED').length;
    const cause = `after a JobManager failover ${missing} of ${graph.executions.length} subtask(s) were not reported running: restarting the job from its latest checkpoint`;
    this.job.log.warn({ missing }, cause);
    this.job.recordFailure(cause, undefined, 'slots');
    this.job.setStatus('RUNNING');
    this.options.restarts.begin(graph.executions.map(refOf), 0, cause);
  }
}
