import {
  RivuletError,
  callUnary,
  errorMessage,
  sleep,
  type Logger,
  type SnapshotLocation,
  type TaskDeploymentDescriptor,
  type pb,
} from '@rivulet/common';
import type { NetworkEnvironment } from '../network/network-api.js';
import type { JobManagerConnection } from '../registration/jobmanager-connection.js';
import type { SlotTable } from '../slots/slot-table.js';
import type { BarrierInfo } from '../../slot/checkpointing/barrier-aligner.js';
import type { StorageProvider } from '../../slot/checkpointing/storage-provider.js';
import type { TaskCheckpointing } from '../../slot/checkpointing/task-checkpointing.js';
import type { JobArtifacts } from '../../slot/task/job-artifacts.js';
import { StreamTask } from '../../slot/task/stream-task.js';
import type { TaskReport } from '../../slot/task/task-report.js';

/**
 * Runs the subtasks the JobManager deploys to this TaskManager and reports
 * their state changes back (retried while the JobManager is briefly away).
 */
export class TaskExecutor {
  private readonly tasks = new Map<string, StreamTask>();
  /** Execution attempt id -> the allocation of the slot it was deployed into. */
  private readonly allocationOf = new Map<string, string>();
  /** Execution attempt id -> the last state its task reported. */
  private readonly lastState = new Map<string, string>();
  /** Execution attempt ids of tasks whose data ended (waiting for the final checkpoint). */
  private readonly endedData = new Set<string>();

  constructor(
    private readonly network: NetworkEnvironment,
    private readonly artifacts: JobArtifacts,
    private readonly slots: SlotTable,
    private readonly connection: JobManagerConnection,
    private readonly checkpointing: TaskCheckpointing,
    private readonly storage: StorageProvider,
    private readonly log: Logger,
  ) {}

  get runningTasks(): number {
    return this.tasks.size;
  }

  deploy(request: pb.DeployTaskRequest__Output): void {
    let descriptor: TaskDeploymentDescriptor;
    try {
      descriptor = JSON.parse(Buffer.from(request.descriptor).toString('utf8')) as TaskDeploymentDescriptor;
    } catch (err) {
      throw new RivuletError('USAGE', `DeployTask: the task descriptor is not valid JSON: ${errorMessage(err)}`);
    }
    if (this.tasks.has(descriptor.executionAttemptId)) {
      throw new RivuletError('ILLEGAL_STATE', `execution ${descriptor.executionAttemptId} is already deployed here`);
    }
    this.slots.allocate(request.slotIndex, request.allocationId, descriptor.jobId);
    const task = new StreamTask(descriptor, this.network, this.artifacts, this.checkpointing, this.storage, descriptor.checkpointingMode, this.log.child({ jobId: descriptor.jobId, task: descriptor.vertexId, subtask: descriptor.subtaskIndex }));
    this.tasks.set(descriptor.executionAttemptId, task);
    this.allocationOf.set(descriptor.executionAttemptId, request.allocationId);
    this.log.info({ jobId: descriptor.jobId, task: descriptor.vertexName, subtask: descriptor.subtaskIndex }, 'task deployed');
    void task.run((report) => this.report(descriptor, report)).finally(() => {
      this.tasks.delete(descriptor.executionAttemptId);
      this.allocationOf.delete(descriptor.executionAttemptId);
      this.lastState.delete(descriptor.executionAttemptId);
      this.endedData.delete(descriptor.executionAttemptId);
    });
  }

  cancel(executionAttemptId: string): void {
    const task = this.tasks.get(executionAttemptId);
    if (!task) throw new RivuletError('NOT_FOUND', `no task ${executionAttemptId} runs here`);
    task.cancel();
  }

  /**
   * `trigger`: a source takes the checkpoint. Otherwise the call only
   * announces where the checkpoint writes (a savepoint), before its barrier.
   */
  triggerCheckpoint(executionAttemptId: string, barrier: BarrierInfo, location: SnapshotLocation | undefined, trigger: boolean, terminate: boolean): void {
    const task = this.tasks.get(executionAttemptId);
    if (!task) throw new RivuletError('NOT_FOUND', `no task ${executionAttemptId} runs here`);
    if (trigger) task.triggerCheckpoint(barrier, location, terminate);
    else if (location) task.announceLocation(barrier.checkpointId, location);
  }

  /**
   * Checkpoint `checkpointId` of `jobId` completed: the job's tasks here
   * commit — only those among `currentAttempts` when it is not empty (an
   * attempt the JobManager replaced must not commit). `final`: the job's
   * final checkpoint; the tasks finish once they committed it.
   */
  notifyCheckpointComplete(jobId: string, checkpointId: number, currentAttempts: ReadonlySet<string> = new Set(), final = false): void {
    this.storage.localState?.checkpointCompleted(jobId, checkpointId);
    for (const [attemptId, task] of this.tasks) {
      if (task.descriptor.jobId !== jobId) continue;
      if (currentAttempts.size > 0 && !currentAttempts.has(attemptId)) {
        this.log.warn({ jobId, checkpointId, attemptId }, 'not committing for a replaced attempt');
        continue;
      }
      task.notifyCheckpointComplete(checkpointId, final).catch((err: unknown) => {
        this.log.error({ jobId, checkpointId, err: errorMessage(err) }, 'committing a completed checkpoint failed');
        task.fail(err);
      });
    }
  }

  /** Checkpoint `checkpointId` of `jobId` was aborted: local copies of it go. */
  notifyCheckpointAborted(jobId: string, checkpointId: number): void {
    this.storage.localState?.checkpointAborted(jobId, checkpointId);
  }

  /** What runs here, for a registration: each task with its slot and last reported state. */
  taskReport(): pb.RunningTask[] {
    return [...this.tasks].map(([attemptId, task]) => {
      const d = task.descriptor;
      const allocationId = this.allocationOf.get(attemptId) ?? '';
      return {
        jobId: d.jobId,
        executionAttemptId: attemptId,
        vertexId: d.vertexId,
        subtaskIndex: d.subtaskIndex,
        attemptNumber: d.attempt,
        allocationId,
        slotIndex: this.slots.indexOf(allocationId),
        state: this.lastState.get(attemptId) ?? 'DEPLOYING',
        endOfData: this.endedData.has(attemptId),
      };
    });
  }

  /** Cancels every task (TaskManager stopping). */
  cancelAll(): void {
    for (const task of this.tasks.values()) task.cancel();
  }

  /**
   * Cancels the tasks of `jobId` deployed into slots of `allocationIds` and
   * frees those slots: the JobManager no longer knows these allocations (it
   * declared this TaskManager lost and restarted the tasks elsewhere), so
   * they must not run on — nor commit anything.
   */
  releaseAllocations(jobId: string, allocationIds: ReadonlySet<string>): number {
    let cancelled = 0;
    for (const [attemptId, task] of this.tasks) {
      if (task.descriptor.jobId !== jobId || !allocationIds.has(this.allocationOf.get(attemptId) ?? '')) continue;
      task.cancel();
      cancelled += 1;
    }
    const released = this.slots.releaseAllocations(allocationIds);
    this.log.warn({ jobId, cancelled, released }, 'stale tasks cancelled');
    return released;
  }

  releaseJob(jobId: string): number {
    for (const task of this.tasks.values()) if (task.descriptor.jobId === jobId) task.cancel();
    this.storage.localState?.releaseJob(jobId);
    return this.slots.releaseJob(jobId);
  }

  private report(descriptor: TaskDeploymentDescriptor, report: TaskReport): void {
    this.lastState.set(descriptor.executionAttemptId, report.state);
    if (report.endOfData === true) this.endedData.add(descriptor.executionAttemptId);
    void this.send(descriptor, report);
  }

  private async send(descriptor: TaskDeploymentDescriptor, report: TaskReport): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const registration = this.connection.registration;
      if (registration) {
        try {
          await callUnary(registration.client, 'UpdateTaskExecutionState', {
            registrationId: registration.registrationId,
            jobId: descriptor.jobId,
            executionAttemptId: descriptor.executionAttemptId,
            state: report.state,
            failure: report.failure ?? '',
            resultJson: report.result ? JSON.stringify(report.result) : '',
            endOfData: report.endOfData === true,
          }, { timeoutMs: 10_000, target: registration.target });
          return;
        } catch (err) {
          this.log.warn({ err: errorMessage(err), state: report.state }, 'could not report task state; retrying');
        }
      }
      await sleep(Math.min(2000, 100 * 2 ** attempt));
    }
    this.log.error({ jobId: descriptor.jobId, state: report.state }, 'gave up reporting a task state');
  }
}
