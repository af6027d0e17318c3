import {
  RivuletError,
  errorMessage,
  type Logger,
  type SnapshotLocation,
  type TaskDeploymentDescriptor,
  type pb,
} from '@rivulet/common';
import type { TaskLocalStateStore } from '../local-state/local-state-store.js';
import type { SlotTable } from '../slots/slot-table.js';
import type { BarrierInfo } from '../../slot/checkpointing/barrier-aligner.js';
import type { TaskReport } from '../../slot/task/task-report.js';
import type { JobBundles } from './job-bundles.js';
import type { SlotThreads } from './slot-threads.js';
import type { TaskStateReporter } from './task-state-reporter.js';

/** A task deployed here, as the control thread tracks it. */
interface DeployedTask {
  readonly descriptor: TaskDeploymentDescriptor;
  readonly slotIndex: number;
  readonly allocationId: string;
  readonly taskNumber: number;
  state: string;
  endOfData: boolean;
  /** Set once cancellation was asked: the watchdog ends the slot's thread if the task ignores it. */
  cancelling: { readonly since: number; readonly interval: NodeJS.Timeout; readonly timeout: NodeJS.Timeout | undefined } | undefined;
}

export interface TaskExecutorOptions {
  /** task.cancellation.timeout: a task not ended this long after its cancel ends with its slot's thread; 0 = never. */
  readonly cancellationTimeoutMs: number;
  /** task.cancellation.interval: how often a task that ignores its cancellation is reported (and asked again). */
  readonly cancellationIntervalMs: number;
}

/**
 * Runs the subtasks the JobManager deploys to this TaskManager, each in the
 * thread of its slot (SlotThreads), and reports their state changes back.
 * Lives on the control thread: it never runs user code, so cancellation,
 * checkpoint triggers and reports are handled whatever the tasks do.
 */
export class TaskExecutor {
  private readonly tasks = new Map<string, DeployedTask>();
  private nextTaskNumber = 1;

  constructor(
    private readonly threads: SlotThreads,
    private readonly bundles: JobBundles,
    private readonly slots: SlotTable,
    private readonly reporter: TaskStateReporter,
    private readonly localState: TaskLocalStateStore | undefined,
    private readonly options: TaskExecutorOptions,
    private readonly log: Logger,
  ) {
    threads.setListener({
      report: (attemptId, report) => this.onReport(attemptId, report),
      ended: (attemptId) => this.onEnded(attemptId),
      threadEnded: (allocationId, cause, runningTask) => this.onThreadEnded(allocationId, cause, runningTask),
    });
  }

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
    const task: DeployedTask = {
      descriptor,
      slotIndex: request.slotIndex,
      allocationId: request.allocationId,
      taskNumber: this.nextTaskNumber++,
      state: 'DEPLOYING',
      endOfData: false,
      cancelling: undefined,
    };
    this.tasks.set(descriptor.executionAttemptId, task);
    this.log.info({ jobId: descriptor.jobId, task: descriptor.vertexName, subtask: descriptor.subtaskIndex, slot: request.slotIndex }, 'task deployed');
    this.bundles.path(descriptor).then(
      (bundlePath) => {
        if (this.tasks.get(descriptor.executionAttemptId) !== task) return;
        if (task.cancelling) return this.finish(task, { state: 'CANCELED' });
        this.threads.forSlot(task.slotIndex, task.allocationId, descriptor.jobId)
          .send({ kind: 'deploy', descriptor, bundlePath, taskNumber: task.taskNumber });
      },
      (err: unknown) => this.finish(task, { state: 'FAILED', failure: `the job bundle could not be fetched: ${errorMessage(err)}` }),
    );
  }

  cancel(executionAttemptId: string): void {
    const task = this.tasks.get(executionAttemptId);
    if (!task) throw new RivuletError('NOT_FOUND', `no task ${executionAttemptId} runs here`);
    this.cancelTask(task);
  }

  /**
   * `trigger`: a source takes the checkpoint. Otherwise the call only
   * announces where the checkpoint writes (a savepoint), before its barrier.
   */
  triggerCheckpoint(executionAttemptId: string, barrier: BarrierInfo, location: SnapshotLocation | undefined, trigger: boolean, terminate: boolean): void {
    const task = this.tasks.get(executionAttemptId);
    if (!task) throw new RivuletError('NOT_FOUND', `no task ${executionAttemptId} runs here`);
    if (trigger && task.descriptor.inputs.length > 0) {
      throw new RivuletError('USAGE', `task ${task.descriptor.vertexName} is not a source; only sources are triggered`);
    }
    this.threads.send(task.allocationId, { kind: 'trigger-checkpoint', attemptId: executionAttemptId, barrier, location, trigger, terminate });
  }

  /**
   * Checkpoint `checkpointId` of `jobId` completed: the job's tasks here
   * commit — only those among `currentAttempts` when it is not empty (an
   * attempt the JobManager replaced must not commit). `final`: the job's
   * final checkpoint; the tasks finish once they committed it.
   */
  notifyCheckpointComplete(jobId: string, checkpointId: number, currentAttempts: ReadonlySet<string> = new Set(), final = false): void {
    this.localState?.checkpointCompleted(jobId, checkpointId);
    for (const [attemptId, task] of this.tasks) {
      if (task.descriptor.jobId !== jobId) continue;
      if (currentAttempts.size > 0 && !currentAttempts.has(attemptId)) {
        this.log.warn({ jobId, checkpointId, attemptId }, 'not committing for a replaced attempt');
        continue;
      }
      this.threads.send(task.allocationId, { kind: 'checkpoint-complete', attemptId, checkpointId, final });
    }
  }

  /** A split enumerator's event for the source reader of attempt `executionAttemptId`: to the task's slot thread. */
  sendOperatorEvent(executionAttemptId: string, operatorId: string, event: Uint8Array): void {
    const task = this.tasks.get(executionAttemptId);
    if (!task) throw new RivuletError('NOT_FOUND', `no task ${executionAttemptId} runs here`);
    this.threads.send(task.allocationId, { kind: 'operator-event', attemptId: executionAttemptId, operatorId, event: new Uint8Array(event) });
  }

  /** An event of the source reader of `executionAttemptId` could not be sent: the task fails with `reason`. */
  failOnUndeliverableEvent(executionAttemptId: string, reason: string): void {
    const task = this.tasks.get(executionAttemptId);
    if (task) this.threads.send(task.allocationId, { kind: 'operator-event-undeliverable', attemptId: executionAttemptId, reason });
  }

  /** Checkpoint `checkpointId` of `jobId` was aborted: local copies of it go; a task stopping with it runs on. */
  notifyCheckpointAborted(jobId: string, checkpointId: number): void {
    this.localState?.checkpointAborted(jobId, checkpointId);
    for (const [attemptId, task] of this.tasks) {
      if (task.descriptor.jobId === jobId) this.threads.send(task.allocationId, { kind: 'checkpoint-aborted', attemptId, checkpointId });
    }
  }

  /** What runs here, for a registration: each task with its slot and last reported state. */
  taskReport(): pb.RunningTask[] {
    return [...this.tasks].map(([attemptId, task]) => {
      const d = task.descriptor;
      return {
        jobId: d.jobId,
        executionAttemptId: attemptId,
        vertexId: d.vertexId,
        subtaskIndex: d.subtaskIndex,
        attemptNumber: d.attempt,
        allocationId: task.allocationId,
        slotIndex: this.slots.indexOf(task.allocationId),
        state: task.state,
        endOfData: task.endOfData,
      };
    });
  }

  /** The descriptor of a task running here (checkpoint messages from its slot). */
  descriptorOf(attemptId: string): TaskDeploymentDescriptor | undefined {
    return this.tasks.get(attemptId)?.descriptor;
  }

  /** Cancels every task and ends every slot thread (TaskManager stopping). */
  async stopAll(graceMs: number): Promise<void> {
    for (const task of this.tasks.values()) this.cancelTask(task);
    await this.threads.stopAll(graceMs);
  }

  /**
   * Cancels the tasks of `jobId` deployed into slots of `allocationIds` and
   * frees those slots: the JobManager no longer knows these allocations (it
   * declared this TaskManager lost and restarted the tasks elsewhere), so
   * they must not run on — nor commit anything.
   */
  releaseAllocations(jobId: string, allocationIds: ReadonlySet<string>): number {
    let cancelled = 0;
    for (const task of this.tasks.values()) {
      if (task.descriptor.jobId !== jobId || !allocationIds.has(task.allocationId)) continue;
      this.cancelTask(task);
      cancelled += 1;
    }
    for (const allocationId of allocationIds) this.threads.release(allocationId, this.options.cancellationTimeoutMs);
    const released = this.slots.releaseAllocations(allocationIds);
    this.log.warn({ jobId, cancelled, released }, 'stale tasks cancelled');
    this.releaseBundlesIfUnused(jobId);
    return released;
  }

  /** The job ended or left this TaskManager: its tasks, threads, bundles and local copies go. */
  releaseJob(jobId: string): number {
    for (const task of this.tasks.values()) if (task.descriptor.jobId === jobId) this.cancelTask(task);
    this.threads.releaseJob(jobId, this.options.cancellationTimeoutMs);
    this.localState?.releaseJob(jobId);
    const released = this.slots.releaseJob(jobId);
    this.releaseBundlesIfUnused(jobId);
    return released;
  }

  private cancelTask(task: DeployedTask): void {
    if (task.cancelling) return;
    const attemptId = task.descriptor.executionAttemptId;
    const since = Date.now();
    const { cancellationTimeoutMs, cancellationIntervalMs } = this.options;
    const interval = setInterval(() => {
      this.log.warn({ jobId: task.descriptor.jobId, task: task.descriptor.vertexName, subtask: task.descriptor.subtaskIndex, cancellingForMs: Date.now() - since }, 'task has not stopped since it was cancelled');
      this.threads.send(task.allocationId, { kind: 'cancel', attemptId });
    }, cancellationIntervalMs);
    interval.unref();
    const timeout = cancellationTimeoutMs > 0
      ? setTimeout(() => {
        this.log.error({ jobId: task.descriptor.jobId, task: task.descriptor.vertexName, subtask: task.descriptor.subtaskIndex, timeoutMs: cancellationTimeoutMs }, 'task did not stop within task.cancellation.timeout: ending its slot thread');
        void this.threads.terminate(task.allocationId, `task ${owner(task)} did not stop within task.cancellation.timeout (${cancellationTimeoutMs} ms)`);
      }, cancellationTimeoutMs)
      : undefined;
    timeout?.unref();
    task.cancelling = { since, interval, timeout };
    this.threads.send(task.allocationId, { kind: 'cancel', attemptId });
  }

  private onReport(attemptId: string, report: TaskReport): void {
    const task = this.tasks.get(attemptId);
    if (!task) return;
    task.state = report.state;
    if (report.endOfData === true) task.endOfData = true;
    void this.reporter.send(task.descriptor, report);
  }

  private onEnded(attemptId: string): void {
    const task = this.tasks.get(attemptId);
    if (!task) return;
    this.forget(task);
    this.threads.taskEnded(task.allocationId);
  }

  /** The slot's thread ended with tasks still in it: they end too, with the cause. */
  private onThreadEnded(allocationId: string, cause: string, runningTask: number): void {
    const inSlot = [...this.tasks.values()].filter((task) => task.allocationId === allocationId);
    const running = inSlot.find((task) => task.taskNumber === runningTask);
    const culprit = running ? ` (${owner(running)} was running when it happened)` : '';
    for (const task of inSlot) {
      if (task.cancelling) this.finish(task, { state: 'CANCELED' });
      else this.finish(task, { state: 'FAILED', failure: `${cause}${culprit}` });
    }
  }

  private finish(task: DeployedTask, report: TaskReport): void {
    if (this.tasks.get(task.descriptor.executionAttemptId) !== task) return;
    task.state = report.state;
    void this.reporter.send(task.descriptor, report);
    this.forget(task);
  }

  private forget(task: DeployedTask): void {
    if (task.cancelling) {
      clearInterval(task.cancelling.interval);
      if (task.cancelling.timeout) clearTimeout(task.cancelling.timeout);
    }
    this.tasks.delete(task.descriptor.executionAttemptId);
  }

  /** Once no thread of the job is left here, its bundle folder goes (a later deploy fetches it again). */
  private releaseBundlesIfUnused(jobId: string): void {
    void this.threads.whenJobGone(jobId).then(() => {
      if (![...this.tasks.values()].some((t) => t.descriptor.jobId === jobId) && !this.threads.hasJob(jobId)) return this.bundles.release(jobId);
      return undefined;
    });
  }
}

function owner(task: DeployedTask): string {
  const d = task.descriptor;
  return `${d.vertexName} (${d.subtaskIndex + 1}/${d.parallelism})`;
}
