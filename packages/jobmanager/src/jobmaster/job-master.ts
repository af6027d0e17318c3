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
import { allocateReplacementSlots, allocateSlots, releaseSlots } from '../scheduler/slot-allocator.js';
import { jobDetailsJson, type JobFailure } from './job-details.js';
import { JobCheckpointing } from './job-checkpointing.js';
import type { CheckpointCoordinatorConfiguration, CheckpointIdCounter, CheckpointMetrics, CompletedCheckpointStore, SnapshotStorages } from '../checkpoint/index.js';
import type { AssignmentTable } from '@rivulet/common';
import type { SlotLocation } from '../executiongraph/execution-graph.js';
import type { RestartStrategy } from '../failover/restart-strategy.js';
import { PipelinedRegions, type SubtaskRef } from '../failover/pipelined-regions.js';
import { failoverRestoreOf, taskRestoreOf, type JobRestore } from './failover-restore.js';
import { JobAvailability, type FailureCause } from './job-availability.js';
import type { JobMetrics } from './job-metrics.js';

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
    /** HA: the job's checkpoint id counter and completed-checkpoint store in etcd (default: in memory). */
    readonly counter?: CheckpointIdCounter;
    readonly store?: CompletedCheckpointStore;
  };
  /** Start from this snapshot (rivulet run --from-savepoint). */
  readonly restore?: JobRestore;
  readonly failover: {
    /** jobmanager.execution.failover-strategy */
    readonly strategy: 'full' | 'region';
    readonly restartStrategy: RestartStrategy;
    readonly metrics: JobMetrics;
    /** scheduler-mode: reactive runs at the parallelism the slots allow and scales up as TaskManagers join. */
    readonly schedulerMode: 'default' | 'reactive';
  };
  readonly now?: () => number;
}

/** A restart waiting for its delay and for the old attempts to end. */
interface PendingRestart {
  /** `vertexId/subtaskIndex` -> the subtask. */
  readonly subtasks: Map<string, SubtaskRef>;
  notBefore: number;
  cause: string;
  timer: NodeJS.Timeout | undefined;
  cancelDeadline: NodeJS.Timeout | undefined;
  slotWait: { timer: NodeJS.Timeout; listener: () => void } | undefined;
}

const keyOf = (ref: SubtaskRef): string => `${ref.vertexId}/${ref.subtaskIndex}`;
const refOf = (execution: Execution): SubtaskRef => ({ vertexId: execution.vertex.id, subtaskIndex: execution.subtaskIndex });

/** Failures kept in memory per job (the REST history shows the newest 16). */
const MAX_EXCEPTIONS_KEPT = 1000;

/** Old attempts that do not confirm their cancellation within this are counted as canceled. */
const CANCEL_TIMEOUT_MS = 10_000;

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
  readonly availability: JobAvailability;
  private regions: PipelinedRegions;
  /** The slots the job's configured parallelism needs (reactive mode scales back up to it). */
  private readonly configuredSlots: number;
  private readonly onTaskManagerRegistered = (): void => this.maybeScaleUp();
  /** Slot i runs subtask i of every vertex (slot sharing); undefined once its TaskManager is lost. */
  private readonly slots: (SlotLocation | undefined)[] = [];
  /** Where slot i was last, so a replacement prefers that TaskManager (local state). */
  private readonly lastResourceOfSlot: (string | undefined)[] = [];
  private pendingRestart: PendingRestart | undefined;
  /** Set while a recovered job waits to adopt its running tasks (the adoption deadline). */
  private reconciling: NodeJS.Timeout | undefined;
  private suspending: Promise<void> = Promise.resolve();
  private readonly untrackMetrics: () => void;

  constructor(readonly options: JobMasterOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log.child({ jobId: options.jobId });
    this.graph = new ExecutionGraph(buildVertexGraph(options.graph), this.now);
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
      failJob: (reason) => this.onGlobalFailure(`checkpointing failed: ${reason}`, 'checkpointing'),
      log: this.log,
      ...(options.checkpointing.counter ? { counter: options.checkpointing.counter } : {}),
      ...(options.checkpointing.store ? { store: options.checkpointing.store } : {}),
    });
    this.availability = new JobAvailability(this.now);
    this.regions = PipelinedRegions.of(this.graph.vertices);
    this.configuredSlots = this.graph.requiredSlots;
    this.untrackMetrics = options.failover.metrics.track(options.jobId, this.availability);
    if (options.failover.schedulerMode === 'reactive') options.registry.on('registered', this.onTaskManagerRegistered);
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

  /**
   * A job recovered by a new leader from the HA job store, whose tasks may
   * still run on the TaskManagers: register the latest completed checkpoint
   * (`recovery`) as the recovery point, then adopt the tasks TaskManagers
   * report as they register (`offer`). When every subtask has a running
   * attempt the job goes on untouched: 0 restarts. What is not adopted within
   * `adoptionTimeoutMs` is restarted from the latest checkpoint.
   */
  async recover(recovery: (JobRestore & { readonly owned: boolean }) | undefined, adoptionTimeoutMs: number): Promise<void> {
    const restoredTables = new Map<string, AssignmentTable>();
    for (const [operatorId, plan] of recovery?.plan.operators ?? []) {
      if (plan.keyGroupAssignment) restoredTables.set(operatorId, plan.keyGroupAssignment);
    }
    this.tables = assignKeyGroupsOfVertices(this.graph, this.options.graph.maxParallelism, restoredTables);
    if (recovery) {
      // The job's own checkpoint stays owned (retention may delete it later); a savepoint it started from does not.
      await this.checkpointing.coordinator.restoreFromSnapshot(recovery.metadata, recovery.location, { owned: recovery.owned });
    }
    this.reconciling = setTimeout(() => this.reconciliationTimedOut(), adoptionTimeoutMs);
    this.log.info({ adoptionTimeoutMs, checkpointId: recovery?.plan.checkpointId ?? null }, 'recovering the job: adopting running tasks');
    for (const registration of this.options.registry.all()) this.offer(registration);
  }

  /** A TaskManager registered with the tasks it runs: adopt this job's, while recovering. */
  offer(registration: TaskManagerRegistration): void {
    if (this.reconciling === undefined) return;
    for (const task of registration.tasks) {
      if (task.jobId !== this.jobId || task.slotIndex < 0) continue;
      if (!['DEPLOYING', 'INITIALIZING', 'RUNNING'].includes(task.state)) continue;
      const execution = this.graph.executionOf(task.vertexId, task.subtaskIndex);
      if (!execution || execution.state !== 'CREATED') continue;
      const index = task.subtaskIndex;
      let slot = this.slots[index];
      if (slot && (slot.registrationId !== registration.registrationId || slot.allocationId !== task.allocationId)) continue; // inconsistent: restarted later
      if (!slot) {
        const held = registration.allocations[task.slotIndex];
        if (held && held.allocationId !== task.allocationId) continue;
        registration.allocations[task.slotIndex] = { allocationId: task.allocationId, jobId: this.jobId };
        slot = {
          resourceId: registration.resourceId,
          registrationId: registration.registrationId,
          slotIndex: task.slotIndex,
          allocationId: task.allocationId,
          rpcAddress: `${registration.rpcEndpoint.host}:${registration.rpcEndpoint.port}`,
          dataHost: registration.dataEndpoint.host,
          dataPort: registration.dataEndpoint.port,
        };
        this.slots[index] = slot;
        this.lastResourceOfSlot[index] = slot.resourceId;
      }
      const adopted = this.graph.adopt(execution, task.executionAttemptId, task.attemptNumber, task.state as 'DEPLOYING' | 'INITIALIZING' | 'RUNNING');
      adopted.slot = slot;
    }
    this.options.registry.allocationsChanged();
    if (this.graph.executions.every((e) => e.state !== 'CREATED')) this.adopted();
  }

  private adopted(): void {
    if (this.reconciling) clearTimeout(this.reconciling);
    this.reconciling = undefined;
    this.setStatus('RUNNING');
    this.log.info({ subtasks: this.graph.executions.length }, 'job adopted: every task kept running');
    if (this.graph.allIn(['RUNNING'])) {
      this.availability.allRunning();
      this.checkpointing.startIfAllRunning();
    }
    // A commit the previous leader may not have sent: committing is idempotent.
    this.checkpointing.renotifyLatestCompleted();
  }

  private reconciliationTimedOut(): void {
    this.reconciling = undefined;
    const missing = this.graph.executions.filter((e) => e.state === 'CREATED').length;
    const cause = `after a JobManager failover ${missing} of ${this.graph.executions.length} subtask(s) were not reported running: restarting the job from its latest checkpoint`;
    this.log.warn({ missing }, cause);
    this.recordFailure(cause, undefined, 'slots');
    this.setStatus('RUNNING');
    this.beginRestart(this.graph.executions.map(refOf), 0, cause);
  }

  /** Allocates and deploys when enough slots are free; false when not. */
  private trySchedule(): boolean {
    const session = this.options.session();
    if (!session) return false;
    const slots = allocateSlots(this.options.registry, this.jobId, this.graph.requiredSlots, this.options.spreadSlots);
    if (!slots) return false;
    slots.forEach((slot, index) => {
      this.slots[index] = slot;
      this.lastResourceOfSlot[index] = slot.resourceId;
    });
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
    this.tables = assignKeyGroupsOfVertices(this.graph, this.options.graph.maxParallelism, restoredTables);
    this.deploy(this.graph.executions, restore);
    this.log.info({ subtasks: this.graph.executions.length, slots: slots.length, restoredFrom: restore?.uri }, 'job deployed');
    if (restore) {
      this.checkpointing.coordinator
        .restoreFromSnapshot(restore.metadata, restore.location)
        .then((checkpoint) => this.checkpointing.coordinator.reportRestored(checkpoint))
        .catch((err: unknown) => this.log.warn({ err: errorMessage(err) }, 'could not register the restored snapshot'));
    }
    return true;
  }

  /** Sends every one of `executions` (all with slots, state SCHEDULED) to its TaskManager. */
  private deploy(executions: readonly Execution[], restore: JobRestore | undefined): void {
    const session = this.options.session();
    if (!session) return;
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
    for (const execution of executions) {
      const slot = execution.slot!;
      const descriptor = buildDescriptor(info, this.graph, this.tables, execution, restore ? taskRestoreOf(restore, execution) : undefined);
      this.graph.transition(execution, 'DEPLOYING');
      this.options.gateway.deploy(slot.rpcAddress, session, descriptor, slot.slotIndex, slot.allocationId).catch((err: unknown) => {
        this.onExecutionFailed(execution, `deploying to TaskManager ${slot.resourceId} failed: ${errorMessage(err)}`, 'deploy');
      });
    }
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
        break;
      case 'FINISHED':
        execution.result = update.resultJson ? (JSON.parse(update.resultJson) as Record<string, unknown[]>) : undefined;
        if (this.graph.transition(execution, 'FINISHED')) this.checkCompletion();
        break;
      case 'CANCELED':
        if (this.graph.transition(execution, 'CANCELED')) this.afterTerminal();
        break;
      case 'FAILED':
        this.onExecutionFailed(execution, update.failure || 'the task failed without a reason', 'task');
        break;
      default:
        this.log.warn({ state: update.state }, 'ignoring an unknown execution state');
    }
  }

  onTaskManagerLost(registration: TaskManagerRegistration, reason: string, detail: string): void {
    this.slots.forEach((slot, index) => {
      if (slot?.registrationId === registration.registrationId) this.slots[index] = undefined;
    });
    const failure = `TaskManager ${registration.resourceId} was lost (${reason}: ${detail})`;
    const failed = this.graph.executions.filter((e) =>
      e.slot?.registrationId === registration.registrationId && this.graph.transition(e, 'FAILED', failure));
    if (failed.length > 0) this.onFailure(failed, failure, 'taskmanager-lost');
    else this.afterTerminal();
  }

  private onExecutionFailed(execution: Execution, failure: string, cause: FailureCause): void {
    if (!this.graph.transition(execution, 'FAILED', failure)) return;
    this.onFailure([execution], failure, cause);
  }

  /** A failure that concerns the whole job (e.g. too many failed checkpoints): every subtask restarts. */
  private onGlobalFailure(failure: string, cause: FailureCause): void {
    this.recordFailure(failure, undefined, cause);
    if (!this.canFailOver()) return this.fail(failure, undefined);
    this.failOver(this.graph.executions.map(refOf), failure, 'full');
  }

  /** `failed` (now FAILED) failed with `failure`: restart per the strategies, or fail the job. */
  private onFailure(failed: readonly Execution[], failure: string, cause: FailureCause): void {
    if (this.status === 'FAILING' || this.status === 'CANCELLING' || isTerminalJobStatus(this.status)) {
      // A task failing while the job is being torn down (e.g. its inputs broke as its peers were cancelled): not a new failure.
      this.checkCompletion();
      return;
    }
    const pending = this.pendingRestart;
    if (pending && failed.every((e) => pending.subtasks.has(keyOf(refOf(e))))) {
      // An attempt already being replaced ended by failing (e.g. its inputs broke as its peers were cancelled).
      this.afterTerminal();
      return;
    }
    this.recordFailure(failure, failed[0], cause);
    if (!this.canFailOver()) return this.fail(failure, failed[0]);
    this.failOver(failed.map(refOf), failure, this.options.failover.strategy);
  }

  private canFailOver(): boolean {
    return (this.status === 'RUNNING' || this.status === 'RESTARTING') && this.options.session() !== undefined;
  }

  private recordFailure(failure: string, execution: Execution | undefined, cause: FailureCause): void {
    this.availability.failed(cause);
    this.exceptions.push({
      timestamp: this.now(),
      message: failure,
      task: execution ? `${execution.vertex.name} (${execution.subtaskIndex + 1}/${execution.vertex.parallelism})` : null,
      location: execution?.slot?.resourceId ?? null,
      cause,
    });
    if (this.exceptions.length > MAX_EXCEPTIONS_KEPT) this.exceptions.splice(0, this.exceptions.length - MAX_EXCEPTIONS_KEPT);
  }

  /**
   * Asks the restart strategy; when it allows, restarts `failed`'s regions
   * (or every subtask) after its delay. A failure while a restart waits
   * joins it: the union of subtasks restarts, after the newer delay.
   */
  private failOver(failed: readonly SubtaskRef[], failure: string, strategy: 'full' | 'region'): void {
    const restart = this.options.failover.restartStrategy;
    restart.notifyFailure(this.now());
    if (!restart.canRestart()) {
      this.log.warn({ failure, restartStrategy: restart.description, refusal: restart.refusal() }, 'not restarting: the restart strategy gives up');
      this.fail(failure, undefined, false);
      return;
    }
    const delayMs = restart.getBackoffTime();
    const subtasks = strategy === 'full' ? this.graph.executions.map(refOf) : this.regions.regionsToRestart(failed);
    this.beginRestart(subtasks, delayMs, failure);
  }

  /** Restarts `subtasks` (joining a restart already waiting) no earlier than `delayMs` from now. */
  private beginRestart(subtasks: readonly SubtaskRef[], delayMs: number, cause: string): void {
    const pending = this.pendingRestart ?? {
      subtasks: new Map<string, SubtaskRef>(),
      notBefore: 0,
      cause,
      timer: undefined,
      cancelDeadline: undefined,
      slotWait: undefined,
    };
    for (const ref of subtasks) pending.subtasks.set(keyOf(ref), ref);
    pending.notBefore = this.now() + delayMs;
    pending.cause = cause;
    this.pendingRestart = pending;
    if (pending.subtasks.size === this.graph.executions.length) this.setStatus('RESTARTING');
    this.log.warn({ cause: cause.split('\n')[0], restarting: pending.subtasks.size, of: this.graph.executions.length, delayMs, restartStrategy: this.options.failover.restartStrategy.description }, 'failing over');
    this.suspending = this.checkpointing.suspend(`failover: ${cause.split('\n')[0]}`).catch((err: unknown) => {
      this.log.warn({ err: errorMessage(err) }, 'suspending checkpoints failed');
    });
    this.cancelAttempts([...pending.subtasks.values()].map((ref) => this.graph.executionOf(ref.vertexId, ref.subtaskIndex)!));
    if (pending.timer) clearTimeout(pending.timer);
    pending.timer = setTimeout(() => this.tryRestart(), delayMs);
  }

  /** Reactive mode: a TaskManager joined while the job runs below its configured parallelism: restart at more. */
  private maybeScaleUp(): void {
    if (this.status !== 'RUNNING' || this.pendingRestart || !this.options.session()) return;
    if (this.graph.requiredSlots >= this.configuredSlots || this.options.registry.slotsAvailable() === 0) return;
    const cause = `reactive mode: scaling up from parallelism ${this.graph.requiredSlots} (${this.options.registry.slotsAvailable()} slot(s) joined)`;
    this.log.info({ from: this.graph.requiredSlots, configured: this.configuredSlots }, 'scaling up');
    this.beginRestart(this.graph.executions.map(refOf), 0, cause);
  }

  /** Cancels the attempts still alive among `executions`; after CANCEL_TIMEOUT_MS they count as canceled. */
  private cancelAttempts(executions: readonly Execution[]): void {
    for (const execution of executions) {
      if (isTerminalExecutionState(execution.state) || execution.state === 'CANCELING') continue;
      this.cancelAttempt(execution, () => this.afterTerminal());
    }
    const pending = this.pendingRestart;
    if (pending && !pending.cancelDeadline) {
      pending.cancelDeadline = setTimeout(() => {
        pending.cancelDeadline = undefined;
        for (const ref of pending.subtasks.values()) {
          const execution = this.graph.executionOf(ref.vertexId, ref.subtaskIndex);
          if (execution && this.graph.transition(execution, 'CANCELED')) {
            this.log.warn({ task: `${execution.vertex.name} (${execution.subtaskIndex + 1})` }, 'no confirmation of the cancellation: counted as canceled');
          }
        }
        this.tryRestart();
      }, CANCEL_TIMEOUT_MS);
    }
  }

  /** An execution reached a terminal state: a waiting restart may go on, or the job may end. */
  private afterTerminal(): void {
    if (this.pendingRestart) this.tryRestart();
    else this.checkCompletion();
  }

  /** Deploys the pending restart once its delay passed, its old attempts ended and slots are there. */
  private tryRestart(): void {
    const pending = this.pendingRestart;
    if (!pending || pending.slotWait || !this.canFailOver()) return;
    if (this.now() < pending.notBefore) return; // its timer calls again
    const old = [...pending.subtasks.values()].map((ref) => this.graph.executionOf(ref.vertexId, ref.subtaskIndex)!);
    if (!old.every((e) => isTerminalExecutionState(e.state))) return; // the last report calls again
    void this.suspending.then(() => {
      if (this.pendingRestart === pending && !pending.slotWait) this.restartNow(pending);
    });
  }

  private restartNow(pending: PendingRestart): void {
    if (this.options.failover.schedulerMode === 'reactive' && this.reactiveRescale(pending)) return;
    const indices = [...new Set([...pending.subtasks.values()].map((ref) => ref.subtaskIndex))];
    const missing = indices.filter((i) => {
      const slot = this.slots[i];
      return slot === undefined || this.options.registry.get(slot.registrationId) === undefined;
    });
    if (missing.length > 0) {
      const replacements = allocateReplacementSlots(this.options.registry, this.jobId, missing.map((i) => this.lastResourceOfSlot[i]));
      if (!replacements) return this.waitForSlots(pending, missing.length);
      missing.forEach((index, k) => {
        this.slots[index] = replacements[k];
        this.lastResourceOfSlot[index] = replacements[k]!.resourceId;
      });
    }
    if (pending.timer) clearTimeout(pending.timer);
    if (pending.cancelDeadline) clearTimeout(pending.cancelDeadline);
    this.pendingRestart = undefined;
    let restore: JobRestore | undefined;
    const checkpoint = this.checkpointing.coordinator.latestCompletedCheckpoint();
    try {
      restore = failoverRestoreOf(checkpoint, this.options.graph, this.options.checkpointing.storages.checkpointRoot, (operatorId) =>
        this.graph.vertices.vertices.find((v) => v.operatorIds.includes(operatorId))?.parallelism ?? this.options.graph.defaultParallelism);
    } catch (err) {
      return this.fail(`cannot restore from checkpoint ${checkpoint?.checkpointId}: ${errorMessage(err)}`, undefined);
    }
    const fresh = this.graph.restart(pending.subtasks.values());
    for (const execution of fresh) {
      execution.slot = this.slots[execution.subtaskIndex];
      this.graph.transition(execution, 'SCHEDULED');
    }
    this.availability.restarted();
    this.setStatus('RUNNING');
    this.log.info({ subtasks: fresh.length, restoredFrom: checkpoint?.externalPath ?? null, checkpointId: checkpoint?.checkpointId ?? null }, 'restarting subtasks');
    this.deploy(fresh, restore);
    if (checkpoint) this.checkpointing.coordinator.reportRestored(checkpoint);
  }

  /**
   * Reactive mode: when the slots the job can hold differ from its current
   * parallelism, restart every subtask at min(configured, available) —
   * restored from the latest checkpoint, the ring moving only the key groups
   * of the subtasks that come or go. True when it took over the restart.
   */
  private reactiveRescale(pending: PendingRestart): boolean {
    const registry = this.options.registry;
    const alive = this.slots.filter((slot): slot is SlotLocation => slot !== undefined && registry.get(slot.registrationId) !== undefined);
    const target = Math.min(this.configuredSlots, alive.length + registry.slotsAvailable());
    if (target === this.graph.requiredSlots || target < 1) return false; // same parallelism: an ordinary restart (or wait for slots)
    if (pending.subtasks.size < this.graph.executions.length) {
      // A rescale restarts every subtask: cancel the rest first; the last of them calls tryRestart again.
      for (const ref of this.graph.executions.map(refOf)) pending.subtasks.set(keyOf(ref), ref);
      this.setStatus('RESTARTING');
      this.cancelAttempts(this.graph.executions);
      return true;
    }
    const session = this.options.session();
    const keep = alive.slice(0, target);
    for (const slot of alive.slice(target)) {
      const registration = registry.get(slot.registrationId);
      if (registration?.allocations[slot.slotIndex]?.allocationId === slot.allocationId) registration.allocations[slot.slotIndex] = undefined;
      if (session) {
        this.options.gateway.releaseSlots(slot.rpcAddress, session, this.jobId, [slot.allocationId]).catch((err: unknown) => {
          this.log.warn({ err: errorMessage(err), taskManager: slot.resourceId }, 'could not release a slot after scaling down');
        });
      }
    }
    registry.allocationsChanged();
    const extra = target - keep.length;
    const added = extra > 0 ? allocateReplacementSlots(registry, this.jobId, Array.from({ length: extra }, () => undefined)) : [];
    if (!added) return false;
    if (pending.timer) clearTimeout(pending.timer);
    if (pending.cancelDeadline) clearTimeout(pending.cancelDeadline);
    this.pendingRestart = undefined;
    this.slots.length = 0;
    this.slots.push(...keep, ...added);
    this.slots.forEach((slot, index) => (this.lastResourceOfSlot[index] = slot?.resourceId));
    const jobGraph = withParallelismAtMost(this.options.graph, target);
    const checkpoint = this.checkpointing.coordinator.latestCompletedCheckpoint();
    let restore: JobRestore | undefined;
    try {
      restore = failoverRestoreOf(checkpoint, jobGraph, this.options.checkpointing.storages.checkpointRoot, (operatorId) =>
        jobGraph.operators.find((op) => op.id === operatorId)?.parallelism ?? jobGraph.defaultParallelism);
    } catch (err) {
      this.fail(`cannot restore from checkpoint ${checkpoint?.checkpointId} at parallelism ${target}: ${errorMessage(err)}`, undefined);
      return true;
    }
    const from = this.graph.requiredSlots;
    const fresh = this.graph.rescale(buildVertexGraph(jobGraph));
    this.regions = PipelinedRegions.of(this.graph.vertices);
    const restoredTables = new Map<string, AssignmentTable>();
    for (const [operatorId, plan] of restore?.plan.operators ?? []) {
      if (plan.keyGroupAssignment) restoredTables.set(operatorId, plan.keyGroupAssignment);
    }
    this.tables = assignKeyGroupsOfVertices(this.graph, this.options.graph.maxParallelism, restoredTables);
    for (const execution of fresh) {
      execution.slot = this.slots[execution.subtaskIndex];
      this.graph.transition(execution, 'SCHEDULED');
    }
    this.availability.restarted();
    this.setStatus('RUNNING');
    this.log.info({ from, to: target, configured: this.configuredSlots, movedKeyGroups: restore?.plan.movedKeyGroups ?? 0, checkpointId: checkpoint?.checkpointId ?? null }, 'rescaled (reactive mode)');
    this.deploy(fresh, restore);
    if (checkpoint) this.checkpointing.coordinator.reportRestored(checkpoint);
    return true;
  }

  /** Not enough free slots for a restart: wait for TaskManagers up to slot.request.timeout, then fail. */
  private waitForSlots(pending: PendingRestart, needed: number): void {
    const listener = (): void => {
      if (this.pendingRestart !== pending) return;
      this.stopWaitingForRestartSlots(pending);
      this.tryRestart();
    };
    const timer = setTimeout(() => {
      this.stopWaitingForRestartSlots(pending);
      const registry = this.options.registry;
      const failure = `not enough slots to restart: ${needed} more needed, the cluster has ${registry.slotsAvailable()} free of ` +
        `${registry.slotsTotal()} on ${registry.all().length} TaskManager(s); waited ${this.options.slotRequestTimeoutMs} ms (slot.request.timeout)`;
      this.recordFailure(failure, undefined, 'slots');
      this.fail(failure, undefined, false);
    }, this.options.slotRequestTimeoutMs);
    this.options.registry.on('registered', listener);
    pending.slotWait = { timer, listener };
    this.log.warn({ needed, available: this.options.registry.slotsAvailable() }, 'waiting for slots to restart');
  }

  private stopWaitingForRestartSlots(pending: PendingRestart): void {
    if (!pending.slotWait) return;
    clearTimeout(pending.slotWait.timer);
    this.options.registry.off('registered', pending.slotWait.listener);
    pending.slotWait = undefined;
  }

  private clearPendingRestart(): void {
    const pending = this.pendingRestart;
    if (!pending) return;
    if (pending.timer) clearTimeout(pending.timer);
    if (pending.cancelDeadline) clearTimeout(pending.cancelDeadline);
    this.stopWaitingForRestartSlots(pending);
    this.pendingRestart = undefined;
  }

  /** Fails the job with `failure` (recorded unless `record` is false), cancelling every other execution. */
  private fail(failure: string, execution: Execution | undefined, record = true): void {
    this.stopWaitingForSlots();
    this.clearPendingRestart();
    if (record && this.exceptions.at(-1)?.message !== failure) {
      this.exceptions.push({
        timestamp: this.now(),
        message: failure,
        task: execution ? `${execution.vertex.name} (${execution.subtaskIndex + 1}/${execution.vertex.parallelism})` : null,
        location: execution?.slot?.resourceId ?? null,
        cause: execution ? 'task' : 'job',
      });
    }
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
    if (this.reconciling) clearTimeout(this.reconciling);
    this.reconciling = undefined;
    this.stopWaitingForSlots();
    this.clearPendingRestart();
    if (this.cancelTimer) clearTimeout(this.cancelTimer);
    this.log.warn({ reason }, 'job suspended: this JobManager no longer leads it');
    this.availability.end();
    this.untrackMetrics();
    this.options.registry.off('registered', this.onTaskManagerRegistered);
    this.setStatus('SUSPENDED');
    this.checkpointing.shutdown('SUSPENDED').catch((err: unknown) => this.log.warn({ err: errorMessage(err) }, 'checkpoint shutdown failed'));
    this.options.onTerminal(this);
  }

  cancel(): void {
    if (isTerminalJobStatus(this.status) || this.status === 'CANCELLING') return;
    this.stopWaitingForSlots();
    this.clearPendingRestart();
    this.setStatus('CANCELLING');
    void this.checkpointing.stop('the job is being cancelled');
    this.cancelExecutions();
  }

  /**
   * Cancels one live attempt: at once when it was never deployed, else by a
   * call to its TaskManager, whose report ends it (a failed call counts as
   * canceled, then `afterCanceled` runs).
   */
  private cancelAttempt(execution: Execution, afterCanceled: () => void): void {
    const session = this.options.session();
    const slot = execution.slot;
    if (!slot || !session || execution.state === 'CREATED' || execution.state === 'SCHEDULED') {
      this.graph.transition(execution, 'CANCELED');
      return;
    }
    this.graph.transition(execution, 'CANCELING');
    this.options.gateway.cancel(slot.rpcAddress, session, this.jobId, execution.attemptId).catch((err: unknown) => {
      this.log.warn({ err: errorMessage(err), task: execution.vertex.id }, 'cancel call failed; counting the task as canceled');
      if (this.graph.transition(execution, 'CANCELED')) afterCanceled();
    });
  }

  private cancelExecutions(): void {
    for (const execution of this.graph.executions) {
      if (!isTerminalExecutionState(execution.state)) this.cancelAttempt(execution, () => this.checkCompletion());
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
    if (this.reconciling) clearTimeout(this.reconciling);
    this.reconciling = undefined;
    this.clearPendingRestart();
    this.availability.end();
    this.untrackMetrics();
    this.options.registry.off('registered', this.onTaskManagerRegistered);
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

/** `graph` with every operator's parallelism capped at `limit` (reactive mode). */
function withParallelismAtMost(graph: JobGraph, limit: number): JobGraph {
  return {
    ...graph,
    operators: graph.operators.map((op) => ({ ...op, parallelism: Math.min(op.parallelism ?? graph.defaultParallelism, limit) })),
  };
}
