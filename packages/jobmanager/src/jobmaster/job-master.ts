import { errorMessage, isTerminalExecutionState, isTerminalJobStatus, type JobStatus, type Logger, type pb } from '@rivulet/common';
import { ExecutionGraph, type Execution } from '../executiongraph/execution-graph.js';
import { buildVertexGraph } from '../jobgraph/job-vertices.js';
import type { TaskManagerRegistration } from '../resourcemanager/task-manager-registration.js';
import { releaseSlots } from '../scheduler/slot-allocator.js';
import { AttemptCancellation } from './attempt-cancellation.js';
import { ExceptionHistory } from './exception-history.js';
import { InitialScheduling } from './initial-scheduling.js';
import { JobAvailability, type FailureCause } from './job-availability.js';
import { JobCheckpointing } from './job-checkpointing.js';
import type { JobContext } from './job-context.js';
import { jobDetailsJson, type JobFailure } from './job-details.js';
import { JobFailover } from './job-failover.js';
import type { JobMasterOptions } from './job-master-options.js';
import { JobSlots } from './job-slots.js';
import { ReactiveScaling } from './reactive-scaling.js';
import { SubtaskRestarts } from './subtask-restarts.js';
import { TaskAdoption, type JobRecovery } from './task-adoption.js';
import { TaskDeployment } from './task-deployment.js';
import { createJobSourceCoordinator, hasSplitEnumerators, hasUserSplitEnumerators } from '../source/job-source-coordinator.js';
import { coordinatorStatesOf, type SourceCoordinator } from '../source/source-coordinator.js';

export type { JobMasterOptions } from './job-master-options.js';

/**
 * Runs one job: waits for slots (up to slot.request.timeout), deploys every
 * subtask, follows their states, and ends the job FINISHED when all finish,
 * CANCELED on request, FAILED when a failure is not restarted. A failure
 * (a task's exception, a lost TaskManager, a failed deployment, too many
 * failed checkpoints) goes to the restart strategy; if it allows, the
 * failover strategy picks the subtasks to restart (every one, or the
 * pipelined regions of the failed ones), their old attempts are cancelled,
 * and after the strategy's delay they are deployed again — on their slots
 * when those still exist, else on free slots preferring the TaskManager they
 * ran on — restored from the latest completed checkpoint. Every failure is
 * kept in the exception history. docs/failure-recovery.md.
 *
 * The JobMaster owns the job's ExecutionGraph and status and decides when
 * the job ends; its collaborators do the rest: InitialScheduling (first
 * deployment), TaskDeployment, AttemptCancellation, JobFailover (what a
 * failure does), SubtaskRestarts, ReactiveScaling (scheduler-mode reactive),
 * TaskAdoption (recovery by a new leader) and JobCheckpointing.
 */
export class JobMaster {
  status: JobStatus = 'CREATED';
  readonly statusTimestamps: Partial<Record<JobStatus, number>> = {};
  readonly exceptions: JobFailure[];
  readonly graph: ExecutionGraph;
  readonly checkpointing: JobCheckpointing;
  readonly availability: JobAvailability;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly history: ExceptionHistory;
  private readonly slots = new JobSlots();
  private readonly deployment: TaskDeployment;
  private readonly scheduling: InitialScheduling;
  private readonly cancellation: AttemptCancellation;
  private readonly restarts: SubtaskRestarts;
  private readonly failover: JobFailover;
  private readonly reactive: ReactiveScaling | undefined;
  private readonly adoption: TaskAdoption;
  private settlingCheckpoints = false;
  /** The split enumerators of the job's sources (in a thread of their own); undefined without any. */
  readonly sources: SourceCoordinator | undefined;
  private readonly untrackMetrics: () => void;

  constructor(readonly options: JobMasterOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log.child({ jobId: options.jobId });
    this.history = new ExceptionHistory(this.now);
    this.exceptions = this.history.entries;
    this.graph = new ExecutionGraph(buildVertexGraph(options.graph), this.now);
    this.statusTimestamps.CREATED = this.now();
    this.checkpointing = new JobCheckpointing({
      jobId: options.jobId,
      graph: this.graph,
      tables: () => this.deployment.tables,
      maxParallelism: options.graph.maxParallelism,
      configuration: options.checkpointing.configuration,
      storages: options.checkpointing.storages,
      gateway: options.gateway,
      metrics: options.checkpointing.metrics,
      session: options.session,
      failJob: (reason) => this.failover.onGlobalFailure(`checkpointing failed: ${reason}`, 'checkpointing'),
      log: this.log,
      ...(hasSplitEnumerators(options.graph) ? { coordinators: {
        snapshot: (checkpointId: number) => this.sources!.snapshot(checkpointId),
        afterTrigger: () => this.sources?.afterTrigger(),
        checkpointComplete: (checkpointId: number) => this.sources?.checkpointComplete(checkpointId),
      } } : {}),
      ...(options.checkpointing.counter ? { counter: options.checkpointing.counter } : {}),
      ...(options.checkpointing.store ? { store: options.checkpointing.store } : {}),
    });
    this.availability = new JobAvailability(this.now);
    const job = this.context();
    const checkpointRoot = options.checkpointing.storages.checkpointRoot;
    const afterTerminal = (): void => this.afterTerminal();
    this.deployment = new TaskDeployment(job, {
      bundleSha256: options.bundleSha256,
      checkpointingMode: options.checkpointing.configuration.mode,
      unalignedCheckpoints: options.checkpointing.configuration.unaligned,
      finalCheckpoint: options.checkpointing.configuration.intervalMs !== null,
      onDeployFailed: (execution, failure) => this.failover.onExecutionFailed(execution, failure, 'deploy'),
    });
    this.scheduling = new InitialScheduling(job, {
      deployment: this.deployment,
      restore: options.restore,
      spreadSlots: options.spreadSlots,
      slotRequestTimeoutMs: options.slotRequestTimeoutMs,
    });
    this.cancellation = new AttemptCancellation(job);
    this.restarts = new SubtaskRestarts(job, {
      restartStrategy: options.failover.restartStrategy,
      deployment: this.deployment,
      cancellation: this.cancellation,
      checkpointRoot,
      slotRequestTimeoutMs: options.slotRequestTimeoutMs,
      afterTerminal,
      rescaleInstead: (pending) => this.reactive?.rescale(pending) ?? false,
      beforeRedeploy: (fresh, checkpoint, everySubtask) => this.sources?.restart(fresh, checkpoint, everySubtask),
    });
    this.failover = new JobFailover(job, {
      strategy: options.failover.strategy,
      restartStrategy: options.failover.restartStrategy,
      restarts: this.restarts,
      afterTerminal,
      checkCompletion: () => this.checkCompletion(),
    });
    this.adoption = new TaskAdoption(job, {
      deployment: this.deployment,
      restarts: this.restarts,
      ...(hasUserSplitEnumerators(options.graph)
        ? { restartAfterAdoption: 'after a JobManager failover: the job has split enumerators, whose state since the latest checkpoint was lost with the previous leader: restarting every subtask from the latest checkpoint' }
        : { onAdopted: () => this.sources?.adopt(this.checkpointing.coordinator.latestCompletedCheckpoint()?.metadata, this.graph.executions) }),
    });
    this.sources = createJobSourceCoordinator({
      jobId: options.jobId,
      jobGraph: options.graph,
      graph: this.graph,
      gateway: options.gateway,
      session: options.session,
      loadBundle: options.loadBundle,
      onFailure: (reason) => this.failover.onGlobalFailure(reason, 'task'),
      onUndeliverable: (execution, reason) => this.failover.onExecutionFailed(execution, reason, 'task'),
      log: this.log,
    });
    this.untrackMetrics = options.failover.metrics.track(options.jobId, this.availability);
    this.reactive = options.failover.schedulerMode === 'reactive'
      ? new ReactiveScaling(job, { restarts: this.restarts, deployment: this.deployment, checkpointRoot, onRescaled: () => this.onReactiveRescale() })
      : undefined;
  }

  /** Reactive mode restarted every subtask at another parallelism: new regions, and the enumerators recreated from the checkpoint. */
  private onReactiveRescale(): void {
    this.failover.graphRescaled();
    this.sources?.restart([], this.checkpointing.coordinator.latestCompletedCheckpoint(), true);
  }

  /** What the collaborators share with this JobMaster (see JobContext); built once, in the constructor. */
  private context(): JobContext {
    return {
      jobId: this.options.jobId,
      jobGraph: this.options.graph,
      graph: this.graph,
      slots: this.slots,
      registry: this.options.registry,
      gateway: this.options.gateway,
      session: this.options.session,
      checkpointing: this.checkpointing,
      availability: this.availability,
      log: this.log,
      now: this.now,
      status: () => this.status,
      setStatus: (status) => this.setStatus(status),
      recordFailure: (failure, execution, cause) => this.recordFailure(failure, execution, cause),
      fail: (failure, execution, record) => this.fail(failure, execution, record),
    };
  }

  get jobId(): string {
    return this.options.jobId;
  }

  get name(): string {
    return this.options.graph.name;
  }

  start(): void {
    this.sources?.start(coordinatorStatesOf(this.options.restore?.metadata)).catch((err: unknown) => {
      this.failover.onGlobalFailure(`the source coordinator could not start: ${errorMessage(err)}`, 'task');
    });
    this.scheduling.start();
  }

  /**
   * A job recovered by a new leader from the HA job store, whose tasks may
   * still run on the TaskManagers: see TaskAdoption.recover.
   */
  async recover(recovery: JobRecovery | undefined, adoptionTimeoutMs: number): Promise<void> {
    await this.adoption.recover(recovery, adoptionTimeoutMs);
  }

  /** A TaskManager registered with the tasks it runs: adopt this job's, while recovering. */
  offer(registration: TaskManagerRegistration): void {
    this.adoption.offer(registration);
  }

  /** A TaskManager reported a state change of one of this job's executions. */
  onTaskUpdate(update: pb.TaskExecutionStateUpdate__Output): void {
    const execution = this.graph.get(update.executionAttemptId);
    if (!execution || execution.slot?.registrationId !== update.registrationId) {
      this.log.debug({ executionAttemptId: update.executionAttemptId }, 'ignoring update of an unknown or stale execution');
      return;
    }
    switch (update.state) {
      case 'INITIALIZING':
        this.graph.transition(execution, update.state);
        break;
      case 'RUNNING':
        if (this.graph.transition(execution, 'RUNNING') && this.status === 'RUNNING' && this.graph.allIn(['RUNNING'])) {
          this.availability.allRunning();
          this.checkpointing.startIfAllRunning();
        }
        if (update.endOfData) this.checkpointing.onEndOfData(execution.attemptId);
        break;
      case 'FINISHED':
        execution.result = update.resultJson ? (JSON.parse(update.resultJson) as Record<string, unknown[]>) : undefined;
        if (this.graph.transition(execution, 'FINISHED')) this.checkCompletion();
        break;
      case 'CANCELED':
        if (this.graph.transition(execution, 'CANCELED')) this.afterTerminal();
        break;
      case 'FAILED':
        this.failover.onExecutionFailed(execution, update.failure || 'the task failed without a reason', 'task');
        break;
      default:
        this.log.warn({ state: update.state }, 'ignoring an unknown execution state');
    }
  }

  onTaskManagerLost(registration: TaskManagerRegistration, reason: string, detail: string): void {
    this.failover.onTaskManagerLost(registration, reason, detail);
  }

  /** An execution reached a terminal state: a waiting restart may go on, or the job may end. */
  private afterTerminal(): void {
    if (this.restarts.waiting) this.restarts.tryRestart();
    else this.checkCompletion();
  }

  private recordFailure(failure: string, execution: Execution | undefined, cause: FailureCause): void {
    this.availability.failed(cause);
    this.history.record(failure, execution, cause);
  }

  /** Fails the job with `failure` (recorded unless `record` is false), cancelling every other execution. */
  private fail(failure: string, execution: Execution | undefined, record = true): void {
    this.scheduling.stop();
    this.restarts.clear();
    if (record) this.history.recordJobFailure(failure, execution);
    if (this.status === 'FAILING' || this.status === 'CANCELLING' || isTerminalJobStatus(this.status)) {
      this.checkCompletion();
      return;
    }
    this.log.warn({ failure, task: this.exceptions.at(-1)?.task }, 'job failing');
    this.setStatus('FAILING');
    void this.checkpointing.stop(`the job is failing: ${failure.split('\n')[0]}`);
    this.cancelExecutions();
  }

  /**
   * This JobManager lost leadership: stop acting for the job at once — no
   * deployment, cancellation, trigger or commit — and leave its tasks
   * running and its checkpoints in place for the next leader.
   */
  suspend(reason: string): void {
    if (isTerminalJobStatus(this.status)) return;
    this.adoption.stop();
    this.scheduling.stop();
    this.restarts.clear();
    this.cancellation.stop();
    this.log.warn({ reason }, 'job suspended: this JobManager no longer leads it');
    this.availability.end();
    this.untrackMetrics();
    this.reactive?.stop();
    this.setStatus('SUSPENDED');
    void this.sources?.close();
    this.checkpointing.shutdown('SUSPENDED').catch((err: unknown) => this.log.warn({ err: errorMessage(err) }, 'checkpoint shutdown failed'));
    this.options.onTerminal(this);
  }

  cancel(): void {
    if (isTerminalJobStatus(this.status) || this.status === 'CANCELLING') return;
    this.scheduling.stop();
    this.restarts.clear();
    this.setStatus('CANCELLING');
    void this.checkpointing.stop('the job is being cancelled');
    this.cancelExecutions();
  }

  private cancelExecutions(): void {
    this.cancellation.cancelAll(() => this.checkCompletion());
    this.checkCompletion();
  }

  private checkCompletion(): void {
    if (isTerminalJobStatus(this.status)) return;
    if (this.status === 'RUNNING' && this.graph.allIn(['FINISHED'])) {
      // Stop with savepoint: every task acknowledged before it finished; let
      // the savepoint's completion (metadata, notification) settle first.
      if (!this.settlingCheckpoints && this.checkpointing.coordinator.numberOfPendingCheckpoints > 0) {
        this.settlingCheckpoints = true;
        void this.checkpointing.coordinator.idle().then(() => this.checkCompletion());
        return;
      }
      return this.end('FINISHED');
    }
    if (!this.graph.executions.every((e) => isTerminalExecutionState(e.state))) return;
    if (this.status === 'FAILING') this.end('FAILED');
    else if (this.status === 'CANCELLING') this.end('CANCELED');
    else if (this.status === 'CREATED' && this.exceptions.length > 0) this.end('FAILED');
  }

  private end(status: 'FINISHED' | 'FAILED' | 'CANCELED'): void {
    this.cancellation.stop();
    this.adoption.stop();
    this.restarts.clear();
    this.availability.end();
    this.untrackMetrics();
    this.reactive?.stop();
    this.setStatus(status);
    void this.sources?.close();
    void this.checkpointing.stop(`the job ${status}`);
    const session = this.options.session();
    for (const holder of releaseSlots(this.options.registry, this.jobId)) {
      if (!session) continue;
      const address = `${holder.rpcEndpoint.host}:${holder.rpcEndpoint.port}`;
      this.options.gateway.releaseSlots(address, session, this.jobId).catch((err: unknown) => {
        this.log.warn({ err: errorMessage(err), taskManager: holder.resourceId }, 'could not release slots');
      });
    }
    // The job's HA records go first, then its checkpoints: what a new leader can still find stays restorable.
    Promise.resolve()
      .then(() => this.options.onTerminal(this))
      .then(
        () => this.checkpointing.shutdown(status),
        (err: unknown) => {
          this.log.warn({ err: errorMessage(err) }, 'the ended job is still in the HA job store: its checkpoints are kept for the next leader');
          return this.checkpointing.shutdown('SUSPENDED');
        },
      )
      .catch((err: unknown) => this.log.warn({ err: errorMessage(err) }, 'checkpoint shutdown failed'))
      .finally(() => this.options.onReleased?.(this));
  }

  private setStatus(status: JobStatus): void {
    if (this.status === status) return;
    this.log.info({ from: this.status, to: status }, 'job status changed');
    this.status = status;
    this.statusTimestamps[status] = this.now();
  }

  details(): Record<string, unknown> {
    return jobDetailsJson(this, this.now());
  }
}
