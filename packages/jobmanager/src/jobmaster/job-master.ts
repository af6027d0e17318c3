import type { JobGraph } from '@rivulet/api';
import {
  errorMessage,
  isTerminalExecutionState,
  isTerminalJobStatus,
  type JobStatus,
  type LeaderSession,
  type Logger,
  type pb,
} from '@rivulet/common';
import { ExecutionGraph, type Execution } from '../executiongraph/execution-graph.js';
import { buildVertexGraph } from '../jobgraph/job-vertices.js';
import type { TaskManagerRegistration } from '../resourcemanager/task-manager-registration.js';
import type { TaskManagerRegistry } from '../resourcemanager/task-manager-registry.js';
import type { TaskManagerGateway } from '../rpc/taskmanager-gateway.js';
import { assignKeyGroupsOfVertices, buildDescriptor } from '../scheduler/deployment-descriptors.js';
import { allocateSlots, releaseSlots } from '../scheduler/slot-allocator.js';
import { jobDetailsJson, type JobFailure } from './job-details.js';
import { JobCheckpointing } from './job-checkpointing.js';
import type { CheckpointCoordinatorConfiguration, CheckpointMetrics, SnapshotStorages } from '../checkpoint/index.js';
import type { AssignmentTable, CheckpointMetadata, RestorePlan, SnapshotLocation, TaskRestore } from '@rivulet/common';

export interface JobMasterOptions {
  readonly jobId: string;
  readonly graph: JobGraph;
  readonly bundleSha256: string;
  readonly slotRequestTimeoutMs: number;
  readonly spreadSlots: boolean;
  readonly registry: TaskManagerRegistry;
  readonly gateway: TaskManagerGateway;
  readonly session: () => LeaderSession | undefined;
  readonly log: Logger;
  readonly onTerminal: (master: JobMaster) => void;
  readonly checkpointing: {
    readonly configuration: CheckpointCoordinatorConfiguration;
    readonly storages: SnapshotStorages;
    readonly metrics: CheckpointMetrics;
  };
  /** Start from this snapshot (rivulet run --from-savepoint). */
  readonly restore?: {
    readonly plan: RestorePlan;
    readonly metadata: CheckpointMetadata;
    readonly location: SnapshotLocation;
    /** The snapshot folder's URI: TaskManagers open it as the storage root. */
    readonly uri: string;
  };
  readonly now?: () => number;
}

/**
 * Runs one job: waits for slots (up to slot.request.timeout), deploys every
 * subtask, follows their states, and ends the job FINISHED when all finish,
 * FAILED on the first failure (restart strategies arrive with the failure
 * recovery issue), CANCELED on request. Every transition is logged and kept.
 */
export class JobMaster {
  status: JobStatus = 'CREATED';
  readonly statusTimestamps: Partial<Record<JobStatus, number>> = {};
  readonly exceptions: JobFailure[] = [];
  readonly graph: ExecutionGraph;
  private readonly log: Logger;
  private readonly now: () => number;
  private slotWait: { timer: NodeJS.Timeout; listener: () => void } | undefined;
  private cancelTimer: NodeJS.Timeout | undefined;
  private tables: ReadonlyMap<string, AssignmentTable> = new Map();
  private settlingCheckpoints = false;
  readonly checkpointing: JobCheckpointing;

  constructor(readonly options: JobMasterOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log.child({ jobId: options.jobId });
    this.graph = new ExecutionGraph(buildVertexGraph(options.graph), 0, this.now);
    this.statusTimestamps.CREATED = this.now();
    this.checkpointing = new JobCheckpointing({
      jobId: options.jobId,
      graph: this.graph,
      tables: () => this.tables,
      maxParallelism: options.graph.maxParallelism,
      configuration: options.checkpointing.configuration,
      storages: options.checkpointing.storages,
      gateway: options.gateway,
      metrics: options.checkpointing.metrics,
      session: options.session,
      failJob: (reason) => this.fail(`checkpointing failed: ${reason}`, undefined),
      log: this.log,
    });
  }

  get jobId(): string {
    return this.options.jobId;
  }

  get name(): string {
    return this.options.graph.name;
  }

  start(): void {
    if (this.trySchedule()) return;
    const needed = this.graph.requiredSlots;
    this.log.info({ needed, available: this.options.registry.slotsAvailable() }, 'waiting for slots');
    const listener = (): void => {
      if (this.status === 'CREATED' && this.trySchedule()) this.stopWaitingForSlots();
    };
    const timer = setTimeout(() => {
      this.stopWaitingForSlots();
      const registry = this.options.registry;
      this.fail(
        `not enough slots: the job needs ${needed} slot${needed === 1 ? '' : 's'} (its highest parallelism), ` +
          `the cluster has ${registry.slotsAvailable()} free of ${registry.slotsTotal()} on ${registry.all().length} TaskManager(s); ` +
          `waited ${this.options.slotRequestTimeoutMs} ms (slot.request.timeout)`,
        undefined,
      );
    }, this.options.slotRequestTimeoutMs);
    this.options.registry.on('registered', listener);
    this.slotWait = { timer, listener };
  }

  private stopWaitingForSlots(): void {
    if (!this.slotWait) return;
    clearTimeout(this.slotWait.timer);
    this.options.registry.off('registered', this.slotWait.listener);
    this.slotWait = undefined;
  }

  /** Allocates and deploys when enough slots are free; false when not. */
  private trySchedule(): boolean {
    const session = this.options.session();
    if (!session) return false;
    const slots = allocateSlots(this.options.registry, this.jobId, this.graph.requiredSlots, this.options.spreadSlots);
    if (!slots) return false;
    for (const execution of this.graph.executions) {
      execution.slot = slots[execution.subtaskIndex];
      this.graph.transition(execution, 'SCHEDULED');
    }
    this.setStatus('RUNNING');
    const restore = this.options.restore;
    const restoredTables = new Map<string, AssignmentTable>();
    for (const [operatorId, plan] of restore?.plan.operators ?? []) {
      if (plan.keyGroupAssignment) restoredTables.set(operatorId, plan.keyGroupAssignment);
    }
    const tables = assignKeyGroupsOfVertices(this.graph, this.options.graph.maxParallelism, restoredTables);
    this.tables = tables;
    const info = {
      operators: new Map(this.options.graph.operators.map((op) => [op.id, op] as const)),
      jobId: this.jobId,
      jobName: this.name,
      defaultParallelism: this.options.graph.defaultParallelism,
      maxParallelism: this.options.graph.maxParallelism,
      args: this.options.graph.args,
      bundleSha256: this.options.bundleSha256,
      checkpointingMode: this.options.checkpointing.configuration.mode,
    };
    for (const execution of this.graph.executions) {
      const slot = execution.slot!;
      const descriptor = buildDescriptor(info, this.graph, tables, execution, restore ? taskRestoreOf(restore, execution) : undefined);
      this.graph.transition(execution, 'DEPLOYING');
      this.options.gateway.deploy(slot.rpcAddress, session, descriptor, slot.slotIndex, slot.allocationId).catch((err: unknown) => {
        this.onExecutionFailed(execution, `deploying to TaskManager ${slot.resourceId} failed: ${errorMessage(err)}`);
      });
    }
    this.log.info({ subtasks: this.graph.executions.length, slots: slots.length, restoredFrom: restore?.uri }, 'job deployed');
    if (restore) {
      this.checkpointing.coordinator
        .restoreFromSnapshot(restore.metadata, restore.location)
        .then((checkpoint) => this.checkpointing.coordinator.reportRestored(checkpoint))
        .catch((err: unknown) => this.log.warn({ err: errorMessage(err) }, 'could not register the restored snapshot'));
    }
    return true;
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
        if (this.graph.transition(execution, 'RUNNING') && this.status === 'RUNNING') this.checkpointing.startIfAllRunning();
        break;
      case 'FINISHED':
        execution.result = update.resultJson ? (JSON.parse(update.resultJson) as Record<string, unknown[]>) : undefined;
        if (this.graph.transition(execution, 'FINISHED')) this.checkCompletion();
        break;
      case 'CANCELED':
        if (this.graph.transition(execution, 'CANCELED')) this.checkCompletion();
        break;
      case 'FAILED':
        this.onExecutionFailed(execution, update.failure || 'the task failed without a reason');
        break;
      default:
        this.log.warn({ state: update.state }, 'ignoring an unknown execution state');
    }
  }

  onTaskManagerLost(registration: TaskManagerRegistration, reason: string, detail: string): void {
    for (const execution of this.graph.executions) {
      if (execution.slot?.registrationId === registration.registrationId && !isTerminalExecutionState(execution.state)) {
        this.onExecutionFailed(execution, `TaskManager ${registration.resourceId} was lost (${reason}: ${detail})`);
      }
    }
  }

  private onExecutionFailed(execution: Execution, failure: string): void {
    if (!this.graph.transition(execution, 'FAILED', failure)) return;
    this.fail(failure, execution);
  }

  /** Fails the job with `failure` (first cause wins), cancelling every other execution. */
  private fail(failure: string, execution: Execution | undefined): void {
    this.stopWaitingForSlots();
    this.exceptions.push({
      timestamp: this.now(),
      message: failure,
      task: execution ? `${execution.vertex.name} (${execution.subtaskIndex + 1}/${execution.vertex.parallelism})` : null,
      location: execution?.slot?.resourceId ?? null,
    });
    if (this.status === 'FAILING' || this.status === 'CANCELLING' || isTerminalJobStatus(this.status)) {
      this.checkCompletion();
      return;
    }
    this.log.warn({ failure, task: this.exceptions.at(-1)?.task }, 'job failing');
    this.setStatus('FAILING');
    void this.checkpointing.stop(`the job is failing: ${failure.split('\n')[0]}`);
    this.cancelExecutions();
  }

  cancel(): void {
    if (isTerminalJobStatus(this.status) || this.status === 'CANCELLING') return;
    this.stopWaitingForSlots();
    this.setStatus('CANCELLING');
    void this.checkpointing.stop('the job is being cancelled');
    this.cancelExecutions();
  }

  private cancelExecutions(): void {
    const session = this.options.session();
    for (const execution of this.graph.executions) {
      if (isTerminalExecutionState(execution.state)) continue;
      const slot = execution.slot;
      if (!slot || !session || execution.state === 'CREATED' || execution.state === 'SCHEDULED') {
        this.graph.transition(execution, 'CANCELED');
        continue;
      }
      this.graph.transition(execution, 'CANCELING');
      this.options.gateway.cancel(slot.rpcAddress, session, this.jobId, execution.attemptId).catch((err: unknown) => {
        this.log.warn({ err: errorMessage(err), task: execution.vertex.id }, 'cancel call failed; counting the task as canceled');
        if (this.graph.transition(execution, 'CANCELED')) this.checkCompletion();
      });
    }
    // A TaskManager that never answers must not keep the job from ending.
    this.cancelTimer = setTimeout(() => {
      for (const execution of this.graph.executions) this.graph.transition(execution, 'CANCELED');
      this.checkCompletion();
    }, 10_000);
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
    if (this.cancelTimer) clearTimeout(this.cancelTimer);
    this.setStatus(status);
    this.checkpointing.shutdown(status).catch((err: unknown) => this.log.warn({ err: errorMessage(err) }, 'checkpoint shutdown failed'));
    const session = this.options.session();
    for (const holder of releaseSlots(this.options.registry, this.jobId)) {
      if (!session) continue;
      const address = `${holder.rpcEndpoint.host}:${holder.rpcEndpoint.port}`;
      this.options.gateway.releaseSlots(address, session, this.jobId).catch((err: unknown) => {
        this.log.warn({ err: errorMessage(err), taskManager: holder.resourceId }, 'could not release slots');
      });
    }
    this.options.onTerminal(this);
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

/**
 * What one subtask restores: for every operator of its chain with state in
 * the snapshot, the key-group handles it now owns and the operator state of
 * the old subtasks mapped to it (old subtask k -> new subtask k mod p).
 */
function taskRestoreOf(restore: NonNullable<JobMasterOptions['restore']>, execution: Execution): TaskRestore {
  const operators = execution.vertex.operatorIds.flatMap((operatorId) => {
    const plan = restore.plan.operators.get(operatorId);
    const subtask = plan?.subtasks[execution.subtaskIndex];
    if (!plan || !subtask) return [];
    return [{
      operatorId,
      keyedState: subtask.keyedState,
      timers: subtask.timers,
      operatorStates: subtask.operatorState
        .filter((previous) => previous.subtaskIndex % plan.parallelism === execution.subtaskIndex)
        .map((previous) => previous.state),
    }];
  });
  return { checkpointId: restore.plan.checkpointId, storageUri: restore.uri, folder: restore.location.folder, operators };
}
